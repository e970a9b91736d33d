import { create } from "@bufbuild/protobuf";
import {
  type ChaukasClientOptions,
  createChaukasClient,
  createConnectExporter,
  type EventExporter,
} from "@chaukas/client";
import { createIntegrityChain } from "@chaukas/client/integrity";
import { redact } from "@chaukas/client/redact";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import type { Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// Issue 12's five failures, each as a new user met it: public API only, the local backend.

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const EMAIL = "jane.doe@example.com";

function options(
  projectId: string,
  extra: Partial<ChaukasClientOptions> = {},
): ChaukasClientOptions {
  return {
    transport: createGrpcTransport({ baseUrl: server.url }),
    tenantId: "acme",
    projectId,
    maxBatchSize: 5,
    flushIntervalMs: 20,
    ...extra,
  };
}

const storedIn = (projectId: string): Event[] =>
  server.store.events().filter((event) => event.projectId === projectId);

/** A session of `toolCalls` tool calls (start + end each) around SESSION_START/END. */
function runToolCalls(chaukas: ReturnType<typeof createChaukasClient>, toolCalls: number) {
  const session = chaukas.startSession({ agentId: "support" });
  for (let i = 0; i < toolCalls; i++) {
    session
      .toolCallStart({ name: "lookup", arguments: { email: EMAIL, i } })
      .end({ output: { i } });
  }
  session.end();
}

describe("issue 12 regressions, against the local backend", () => {
  it("1. an event whose integrity hash fails is dropped, never sent unredacted; the rest of its batch goes out", async () => {
    const projectId = "regression-privacy";
    const realDigest = crypto.subtle.digest.bind(crypto.subtle);
    let digests = 0;
    // WebCrypto failing for one event, as on a plain-http page.
    vi.spyOn(crypto.subtle, "digest").mockImplementation((algorithm, data) =>
      ++digests === 3
        ? Promise.reject(new Error("WebCrypto is unavailable"))
        : realDigest(algorithm, data),
    );
    const errors: string[] = [];
    const drops: string[] = [];
    const chaukas = createChaukasClient(
      options(projectId, {
        beforeSend: (event) => redact(event, ["tool_call.arguments.email"]),
        integrity: createIntegrityChain(),
        onError: (error, info) => errors.push(`${info.reason}: ${error.rawMessage}`),
        onDrop: (reason, count) => drops.push(`${reason}:${count}`),
        // The loss report of the dropped event is proven in the outbox/loss tests.
        reportLoss: false,
      }),
    );
    runToolCalls(chaukas, 3);
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });

    const stored = storedIn(projectId);
    expect(JSON.stringify(stored.map((event) => event.content.value))).not.toContain(EMAIL);
    expect(stored).toHaveLength(8 - 1);
    expect(chaukas.stats()).toMatchObject({ sent: 7, dropped: { prepareFailed: 1 } });
    expect(drops).toEqual(["prepareFailed:1"]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^prepare-failed: the integrity chain could not link it; event \S+ was dropped, never sent$/,
      ),
    ]);
    await chaukas.shutdown();
  });

  it("2. a transport with binaryOptions.writeUnknownFields false delivers every batch", async () => {
    const projectId = "regression-write-unknown-fields";
    const chaukas = createChaukasClient(
      options(projectId, {
        transport: createGrpcTransport({
          baseUrl: server.url,
          binaryOptions: { writeUnknownFields: false },
        }),
      }),
    );
    runToolCalls(chaukas, 20); // 42 events, 9 batches
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    expect(storedIn(projectId)).toHaveLength(42);
    expect(chaukas.stats()).toMatchObject({ sent: 42, failed: 0 });
    await chaukas.shutdown();
  });

  it("3. an interceptor sees, typed, every event of every batch", async () => {
    const projectId = "regression-interceptor";
    const seen: string[] = [];
    const countEvents: Interceptor = (next) => async (req) => {
      if (!req.stream && req.method.name === "IngestEventBatch") {
        const { eventBatch } = req.message as {
          eventBatch?: { events: (Event | Uint8Array)[] };
        };
        for (const event of eventBatch?.events ?? []) {
          // The spec's message carries Events, the pre-encoded one their bytes (documented).
          seen.push(event instanceof Uint8Array ? "bytes" : event.$typeName);
        }
      }
      return next(req);
    };
    const chaukas = createChaukasClient(
      options(projectId, {
        transport: createGrpcTransport({ baseUrl: server.url, interceptors: [countEvents] }),
      }),
    );
    runToolCalls(chaukas, 10); // 22 events
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    expect(seen).toHaveLength(22);
    expect(storedIn(projectId)).toHaveLength(22);
    await chaukas.shutdown();
  });

  it("4. a wrapping exporter's edits are never silently lost: a batch it rebuilds is stored as rebuilt", async () => {
    const projectId = "regression-wrapping-exporter";
    const inner = createConnectExporter(createGrpcTransport({ baseUrl: server.url }));
    const tagging: EventExporter = {
      export(batch, exportOptions) {
        const tagged = create(EventBatchSchema, {
          ...batch,
          events: batch.events.map((event) =>
            create(EventSchema, { ...event, tags: [...event.tags, "reviewed"] }),
          ),
        });
        return inner.export(tagged, exportOptions);
      },
    };
    const chaukas = createChaukasClient(options(projectId, { exporter: tagging }));
    runToolCalls(chaukas, 6); // 14 events
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    const stored = storedIn(projectId);
    expect(stored).toHaveLength(14);
    expect(stored.filter((event) => event.tags.includes("reviewed"))).toHaveLength(14);
    await chaukas.shutdown();
  });

  it("4. an edit in place is refused where it is made (reported), never sent without it", async () => {
    const projectId = "regression-wrapping-exporter-in-place";
    const inner = createConnectExporter(createGrpcTransport({ baseUrl: server.url }));
    const errors: string[] = [];
    const taggingInPlace: EventExporter = {
      export(batch, exportOptions) {
        for (const event of batch.events) event.tags.push("reviewed");
        return inner.export(batch, exportOptions);
      },
    };
    const chaukas = createChaukasClient(
      options(projectId, {
        exporter: taggingInPlace,
        retry: { maxAttempts: 1 },
        onError: (error, info) => errors.push(`${info.reason}: ${error.rawMessage}`),
      }),
    );
    runToolCalls(chaukas, 6); // 14 events
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    // Before, the first batch went out tagged and the later ones were sent from their cached
    // encoding without the tag (11 of 14); now the batch is frozen and the edit throws.
    expect(storedIn(projectId)).toEqual([]);
    expect(chaukas.stats()).toMatchObject({ sent: 0, failed: 14 });
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors.every((line) => /^retries-exhausted: .*(not extensible|read.only|frozen)/i.test(line)),
    ).toBe(true);
    await chaukas.shutdown();
  });
});
