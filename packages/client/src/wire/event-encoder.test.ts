// The event encoder a transport carries: the Connect exporter exposes it, the processor encodes
// with it, and when it throws the events go out encoded by toBinary, with nothing lost.
import { toBinary } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createChaukasClient } from "../client.js";
import { PreEncodedIngestEventBatchRequestSchema } from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import { createConnectExporter } from "./connect-exporter.js";
import { encodeEvents } from "./encoded-batch.js";
import { type EncodeEventList, withEventEncoder } from "./event-encoder.js";

/** A backend that decodes each request with the events as their bytes, and keeps those. */
function recordingTransport() {
  const received: Uint8Array[] = [];
  const transport = createRouterTransport((router) =>
    router.rpc(
      {
        ...ChaukasClientService.method.ingestEventBatch,
        input: PreEncodedIngestEventBatchRequestSchema,
      },
      (request) => {
        received.push(...(request.eventBatch?.events ?? []));
        return {};
      },
    ),
  );
  return { transport, received };
}

/** Sends two batches (the second one as pre-encoded bytes) through a client over `transport`. */
async function sendTwoBatches(transport: ReturnType<typeof recordingTransport>["transport"]) {
  const sent: Event[] = [];
  const errors: unknown[] = [];
  const chaukas = createChaukasClient({
    transport,
    tenantId: "acme",
    projectId: "support-bot",
    reportLoss: false,
    beforeSend: (event) => {
      sent.push(event);
      return event;
    },
    onError: (error) => errors.push(error),
  });
  for (const round of [1, 2]) {
    const tool = chaukas.toolCallStart({ name: "lookup", arguments: { round, q: "naïve café" } });
    tool.end({ output: { hits: [round, "ok"] } });
    await chaukas.flush();
  }
  const stats = chaukas.stats();
  await chaukas.shutdown();
  return { sent, errors, stats };
}

describe("an event encoder carried by the transport", () => {
  it("is the Connect exporter's encodeEvents; a transport without one gives the exporter none", () => {
    const { transport } = recordingTransport();
    const encode: EncodeEventList = (events) => encodeEvents(events);
    expect(createConnectExporter(withEventEncoder(transport, encode)).encodeEvents).toBe(encode);
    expect(createConnectExporter(transport).encodeEvents).toBeUndefined();
  });

  it("keeps what else the transport carries (its deadline)", () => {
    const { transport } = recordingTransport();
    const carried = withEventEncoder({ ...transport, timeoutMs: 1234 }, encodeEvents);
    expect(carried.timeoutMs).toBe(1234);
    expect(createConnectExporter(carried).timeoutMs).toBe(1234);
  });

  it("encodes the events the client sends", async () => {
    const { transport, received } = recordingTransport();
    const batches: number[] = [];
    const encode: EncodeEventList = (events) => {
      batches.push(events.length);
      return encodeEvents(events);
    };
    const { sent, errors } = await sendTwoBatches(withEventEncoder(transport, encode));
    expect(errors).toEqual([]);
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(sent.length);
    expect(received).toEqual(sent.map((event) => toBinary(EventSchema, event)));
  });

  it("falls back to toBinary when it throws: every event sent, byte-identical, no error", async () => {
    const { transport, received } = recordingTransport();
    let calls = 0;
    const failing: EncodeEventList = () => {
      calls++;
      throw new Error("a value this encoder does not know");
    };
    const { sent, errors, stats } = await sendTwoBatches(withEventEncoder(transport, failing));
    expect(calls).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(stats.sent).toBe(sent.length);
    expect(stats.failed).toBe(0);
    expect(received).toEqual(sent.map((event) => toBinary(EventSchema, event)));
  });
});
