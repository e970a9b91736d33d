// The Python package's Quick Start (chaukas-spec-client README), line for line in TypeScript:
// a raw generated stub, no SDK on top. Everything the baseline shows must work here too.
import { create } from "@bufbuild/protobuf";
import { startDevServer } from "@chaukas/devserver";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("the chaukas-spec-client Quick Start, in TypeScript", () => {
  let server: Awaited<ReturnType<typeof startDevServer>>;
  beforeAll(async () => {
    server = await startDevServer({ port: 0 });
  });
  afterAll(() => server.close());

  it("sends an AGENT_START event through the generated gRPC stub and reads it back", async () => {
    // channel = grpc.insecure_channel('localhost:50051'); stub = ChaukasClientServiceStub(channel)
    const stub = createClient(ChaukasClientService, createGrpcTransport({ baseUrl: server.url }));

    const event = create(EventSchema, {
      eventId: "evt_123",
      type: EventType.AGENT_START,
      sessionId: "session_abc",
      traceId: "trace_xyz",
    });
    const response = await stub.ingestEvent({ event });
    expect(response).toBeDefined();

    const { response: page } = await stub.queryEvents({
      query: { filter: { sessionId: "session_abc" } },
    });
    expect(page?.events.map((e) => [e.eventId, e.type, e.traceId])).toEqual([
      ["evt_123", EventType.AGENT_START, "trace_xyz"],
    ]);
  });
});
