import { equals, toBinary } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeTransport } from "../src/node-transport.js";
import { startByteCountingProxy } from "./support/byte-counting-proxy.js";
import { type GrpcJsBackend, startGrpcJsBackend } from "./support/grpc-js-backend.js";
import { sampleBatch } from "./support/sample-batch.js";
import { generateSelfSignedCert } from "./support/self-signed-cert.js";

// An independent gRPC implementation (grpc-js + protobuf.js from the .proto sources) must
// read what our transport sends exactly as protobuf-es wrote it.
describe("interop with @grpc/grpc-js", () => {
  let backend: GrpcJsBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it("receives every field of every event over gRPC/HTTP2", async () => {
    backend = await startGrpcJsBackend();
    const client = createClient(
      ChaukasClientService,
      createNodeTransport({ baseUrl: backend.url }),
    );
    const batch = sampleBatch();
    await client.ingestEventBatch({ eventBatch: batch });

    expect(backend.events).toHaveLength(batch.events.length);
    batch.events.forEach((sent, i) => {
      expect(equals(EventSchema, backend!.events[i]!, sent)).toBe(true);
    });
    // protobuf.js's own reading, independent of protobuf-es.
    const raw = backend.rawRequests[0] as {
      event_batch: { events: Record<string, unknown>[] };
    };
    expect(raw.event_batch.events[1]).toMatchObject({
      type: "EVENT_TYPE_RETRY",
      content: "tool_call",
      retry: { attempt: 2, strategy: "exponential_backoff", backoff_ms: 200 },
    });
  });

  it("gzips large batches on the wire, and grpc-js decompresses them intact", async () => {
    backend = await startGrpcJsBackend();
    const port = Number(new URL(backend.url).port);
    const measure = async (compression: "gzip" | "none") => {
      const proxy = await startByteCountingProxy(port);
      try {
        const transport = createNodeTransport({
          baseUrl: `http://127.0.0.1:${proxy.port}`,
          compression,
        });
        const batch = sampleBatch(64 * 1024);
        await createClient(ChaukasClientService, transport).ingestEventBatch({ eventBatch: batch });
        expect(equals(EventSchema, backend!.events.at(-3)!, batch.events[0]!)).toBe(true);
        return proxy.bytesUp();
      } finally {
        await proxy.close();
      }
    };
    const messageBytes = toBinary(EventBatchSchema, sampleBatch(64 * 1024)).length;
    const gzipped = await measure("gzip");
    const plain = await measure("none");
    expect(plain).toBeGreaterThan(messageBytes);
    // 64 KiB of repeated padding shrinks to a few hundred bytes when gzip is on.
    expect(gzipped).toBeLessThan(messageBytes / 4);
  });

  describe("over TLS with a self-signed certificate", () => {
    const tls = generateSelfSignedCert();

    it("succeeds when the client trusts the certificate through `ca`", async () => {
      backend = await startGrpcJsBackend({ tls });
      const transport = createNodeTransport({ baseUrl: backend.url, tls: { ca: tls.cert } });
      const batch = sampleBatch();
      await createClient(ChaukasClientService, transport).ingestEventBatch({ eventBatch: batch });
      expect(backend.events.map((e) => e.eventId)).toEqual(batch.events.map((e) => e.eventId));
    });

    it("refuses the server when the certificate is not trusted (verification is on by default)", async () => {
      backend = await startGrpcJsBackend({ tls });
      const transport = createNodeTransport({ baseUrl: backend.url });
      const call = createClient(ChaukasClientService, transport).ingestEventBatch({
        eventBatch: sampleBatch(),
      });
      await expect(call).rejects.toThrow(/self[- ]signed certificate/i);
      expect(backend.ingestCalls).toBe(0);
    });
  });

  describe("with bearer auth", () => {
    const apiKey = "ck_test_9f8e7d6c5b4a";

    it("is accepted with the right key", async () => {
      backend = await startGrpcJsBackend({ apiKey });
      const transport = createNodeTransport({ baseUrl: backend.url, apiKey });
      await createClient(ChaukasClientService, transport).ingestEventBatch({
        eventBatch: sampleBatch(),
      });
      expect(backend.events).toHaveLength(3);
    });

    it("fails with UNAUTHENTICATED for a wrong key, without the key in the error", async () => {
      backend = await startGrpcJsBackend({ apiKey });
      const wrongKey = "ck_test_wrong_000000";
      const transport = createNodeTransport({ baseUrl: backend.url, apiKey: wrongKey });
      const error = await createClient(ChaukasClientService, transport)
        .ingestEventBatch({ eventBatch: sampleBatch() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Unauthenticated);
      expect(JSON.stringify(error) + String(error)).not.toContain(wrongKey);
      expect(backend.events).toHaveLength(0);
    });
  });
});
