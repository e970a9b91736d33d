import { type DevServer, startDevServer } from "@chaukas/devserver";
import type { Event } from "@chaukas/spec/common/v1";
import type { Interceptor, Transport } from "@connectrpc/connect";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchProcessor, createChaukasClient, createConnectExporter } from "../src/index.js";
import { expectBalanced, testEvents } from "./pipeline-fixtures.js";

// The processor encodes each event once and, over a binary transport, sends the batch as those
// bytes (an `IngestEventBatchRequest` whose field 1 is unknown bytes: the same wire format). Here every
// protocol and format connect-node speaks carries real builder events into the devserver, which
// decodes them with the spec's own schema: what it stores must equal what was emitted, field for
// field, whichever path the exporter took.

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

interface Variant {
  readonly name: string;
  readonly binary: boolean;
  make(baseUrl: string, interceptors: Interceptor[]): Transport;
}

const VARIANTS: readonly Variant[] = [
  {
    name: "gRPC (HTTP/2, gzip)",
    binary: true,
    make: (baseUrl, interceptors) =>
      createGrpcTransport({ baseUrl, interceptors, sendCompression: compressionGzip }),
  },
  {
    name: "Connect binary",
    binary: true,
    make: (baseUrl, interceptors) =>
      createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true }),
  },
  {
    name: "Connect JSON",
    binary: false,
    make: (baseUrl, interceptors) =>
      createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: false }),
  },
  {
    name: "gRPC-web binary",
    binary: true,
    make: (baseUrl, interceptors) =>
      createGrpcWebTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true }),
  },
  {
    name: "gRPC-web JSON",
    binary: false,
    make: (baseUrl, interceptors) =>
      createGrpcWebTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: false }),
  },
];

describe.each(VARIANTS)("IngestEventBatch over $name", (variant) => {
  it("the devserver stores every emitted event field for field", async () => {
    const requestTypes: string[] = [];
    const recordRequestType: Interceptor = (next) => (req) => {
      const message = req.stream
        ? undefined
        : (req.message as { $typeName: string; eventBatch?: unknown });
      requestTypes.push(message?.$typeName ?? "stream");
      requestTypes.push(message?.eventBatch === undefined ? "bytes" : "message");
      return next(req);
    };
    const sent: Event[] = [];
    const chaukas = createChaukasClient({
      transport: variant.make(server.url, [recordRequestType]),
      tenantId: "acme",
      projectId: `wire-${variant.name}`,
      maxBatchSize: 40,
      // Records the events exactly as they leave the processor (after stamping and checks).
      beforeSend: (event) => {
        sent.push(event);
        return event;
      },
    });
    const session = chaukas.startSession({ agentId: "planner", agentName: "Planner ✈︎" });
    const agent = session.agentStart({ agentId: "researcher", agentName: "Researcher" });
    for (let i = 0; i < 60; i++) {
      const model = agent.modelInvocationStart({
        provider: "openai",
        model: "gpt-4o-mini",
        request: { messages: [{ role: "user", content: `question ${i} — ünïcødé 🚀` }] },
        temperature: 0.5,
      });
      model.end({
        response: { text: "x".repeat(i * 37) },
        promptTokens: 10 + i,
        completionTokens: 2 * i,
        cost: { totalCost: 0.001 * i },
      });
      const tool = agent.toolCallStart({
        name: "search",
        arguments: { q: "refund", k: i, deep: [1, null, true] },
      });
      tool.end({ output: { hits: i, nested: { ok: i % 2 === 0 } } });
    }
    agent.end();
    session.end();
    expect(await chaukas.flush({ timeoutMs: 20_000 })).toEqual({ completed: true, pending: 0 });

    const emitted = sent.length;
    expect(emitted).toBe(4 * 60 + 4);
    const stored = new Map(server.store.events().map((e) => [e.eventId, e]));
    for (const event of sent) {
      expect(stored.get(event.eventId)).toEqual(event);
    }
    const stats = chaukas.stats();
    expect(stats).toMatchObject({ sent: emitted, failed: 0, queued: 0, inFlight: 0 });
    expectBalanced(stats);

    // Proves which path carried the batches: the first as a message (the transport's format is
    // learned from its response), the rest as the processor's bytes when the format is binary.
    const batches = Math.ceil(emitted / 40);
    expect(requestTypes).toHaveLength(2 * batches);
    const requestType = "chaukas.spec.client.v1.IngestEventBatchRequest";
    expect(requestTypes.slice(0, 2)).toEqual([requestType, "message"]);
    expect(new Set(requestTypes.slice(2))).toEqual(
      new Set([requestType, variant.binary ? "bytes" : "message"]),
    );
    await chaukas.shutdown();
  });
});

describe("an exporter wrapping the Connect exporter", () => {
  it("sends the batch as it edited it, not the bytes encoded before the edit", async () => {
    const inner = createConnectExporter(createGrpcTransport({ baseUrl: server.url }));
    const processor = createBatchProcessor({
      maxBatchSize: 10,
      exporter: {
        export(batch, options) {
          // Drops every odd event, the way a user's filtering wrapper might.
          batch.events = batch.events.filter((_, i) => i % 2 === 0);
          return inner.export(batch, options);
        },
      },
    });
    const events = testEvents(50, 9_000_000);
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.flush({ timeoutMs: 20_000 })).toEqual({ completed: true, pending: 0 });
    const stored = server.store
      .events()
      .map((e) => e.eventId)
      .filter((id) => id.startsWith("evt-09"));
    expect(new Set(stored)).toEqual(
      new Set(events.filter((_, i) => i % 2 === 0).map((e) => e.eventId)),
    );
    await processor.shutdown();
  });
});
