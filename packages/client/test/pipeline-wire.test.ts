import { create } from "@bufbuild/protobuf";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import {
  type IngestEventBatchRequest,
  IngestEventBatchRequestSchema,
} from "@chaukas/spec/client/v1";
import { type Event, EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import type { Interceptor, Transport } from "@connectrpc/connect";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBatchProcessor,
  createChaukasClient,
  createConnectExporter,
  type PreEncodedIngestEventBatchRequest,
  PreEncodedIngestEventBatchRequestSchema,
} from "../src/index.js";
import { expectBalanced, testEvents } from "./pipeline-fixtures.js";

// The processor encodes each event once and, over a binary transport, sends the batch as those
// bytes (a `PreEncodedIngestEventBatchRequest`: the same wire format as the spec's request). Here
// every protocol and format connect-node speaks carries real builder events into the devserver,
// which decodes them with the spec's own schema: what it stores must equal what was emitted,
// field for field, whichever path the exporter took.

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
    // What an interceptor sees: a typed request, whose events it can count on every call.
    const requestTypes: string[] = [];
    let eventsSeenByInterceptor = 0;
    // Events an interceptor could edit in place after they were encoded: none.
    let editableEvents = 0;
    const recordRequestType: Interceptor = (next) => (req) => {
      if (!req.stream) {
        requestTypes.push(req.method.input.typeName);
        const message = req.message as IngestEventBatchRequest | PreEncodedIngestEventBatchRequest;
        eventsSeenByInterceptor += message.eventBatch?.events.length ?? 0;
        if (req.method.input.typeName === IngestEventBatchRequestSchema.typeName) {
          const { events } = (message as IngestEventBatchRequest).eventBatch!;
          editableEvents += events.filter((event) => !Object.isFrozen(event.content.value)).length;
        }
      }
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

    // Proves which path carried the batches: the first as the spec's message (the transport's
    // format is learned from its response), the rest pre-encoded when the format is binary.
    const batches = Math.ceil(emitted / 40);
    expect(requestTypes).toHaveLength(batches);
    expect(eventsSeenByInterceptor).toBe(emitted);
    expect(editableEvents).toBe(0);
    expect(requestTypes[0]).toBe(IngestEventBatchRequestSchema.typeName);
    expect(new Set(requestTypes.slice(1))).toEqual(
      new Set([
        variant.binary
          ? PreEncodedIngestEventBatchRequestSchema.typeName
          : IngestEventBatchRequestSchema.typeName,
      ]),
    );
    await chaukas.shutdown();
  });
});

describe("an exporter wrapping the Connect exporter", () => {
  it("gets frozen batches: an edit in place throws (reported, nothing half-edited is sent); a new batch it builds is sent as built", async () => {
    const inner = createConnectExporter(createGrpcTransport({ baseUrl: server.url }));
    const errors: string[] = [];
    let editAttempts = 0;
    const processor = createBatchProcessor({
      maxBatchSize: 10,
      retry: { maxAttempts: 1 },
      onError: (error) => errors.push(error.rawMessage),
      exporter: {
        export(batch, options) {
          if (editAttempts++ === 0) {
            batch.events[0]!.tags.push("edited in place");
          }
          // Tags every event and drops every odd one, the way a user's wrapper might.
          const edited = create(EventBatchSchema, {
            ...batch,
            events: batch.events
              .filter((_, i) => i % 2 === 0)
              .map((event) => create(EventSchema, { ...event, tags: [...event.tags, "wrapped"] })),
          });
          return inner.export(edited, options);
        },
      },
    });
    const events = testEvents(50, 9_000_000);
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.flush({ timeoutMs: 20_000 })).toEqual({ completed: true, pending: 0 });
    expect(errors).toEqual([expect.stringMatching(/object is not extensible|read.only|frozen/i)]);
    const stored = server.store.events().filter((e) => e.eventId.startsWith("evt-09"));
    // The first batch failed on its in-place edit; the other four went out as the wrapper built them.
    expect(new Set(stored.map((e) => e.eventId))).toEqual(
      new Set(
        events
          .slice(10)
          .filter((_, i) => i % 2 === 0)
          .map((e) => e.eventId),
      ),
    );
    expect(stored.every((e) => e.tags.includes("wrapped"))).toBe(true);
    expect(stored.some((e) => e.tags.includes("edited in place"))).toBe(false);
    await processor.shutdown();
  });
});
