import { equals } from "@bufbuild/protobuf";
import { startDevServer } from "@chaukas/devserver";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventSchema } from "@chaukas/spec/common/v1";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeTransport, type NodeTransportProtocol } from "../src/node-transport.js";
import { sampleBatch } from "./support/sample-batch.js";

type DevServer = Awaited<ReturnType<typeof startDevServer>>;

const variants: { protocol: NodeTransportProtocol; httpVersion?: "1.1" | "2" }[] = [
  { protocol: "grpc" },
  { protocol: "connect" },
  { protocol: "connect", httpVersion: "2" },
  { protocol: "grpc-web" },
  { protocol: "grpc-web", httpVersion: "2" },
];

describe("ingest and query back through the devserver", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0 });
  });
  afterAll(() => server.close());

  it.each(variants)(
    "round-trips every field over $protocol (HTTP $httpVersion)",
    async (variant) => {
      const client = createClient(
        ChaukasClientService,
        createNodeTransport({ baseUrl: server.url, ...variant }),
      );
      // Above compressMinBytes, so the gzip path is exercised on every protocol.
      const batch = sampleBatch(2048);
      await client.ingestEventBatch({ eventBatch: batch });

      const sessionId = batch.events[0]!.sessionId;
      const { response } = await client.queryEvents({
        query: { filter: { tenantId: "acme", projectId: "support-bot", sessionId } },
      });
      const back = new Map(response?.events.map((e) => [e.eventId, e]));
      expect(back.size).toBe(batch.events.length);
      for (const sent of batch.events) {
        const received = back.get(sent.eventId);
        expect(received, sent.eventId).toBeDefined();
        expect(equals(EventSchema, received!, sent)).toBe(true);
      }
    },
  );
});
