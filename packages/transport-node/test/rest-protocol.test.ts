// Protocol "rest" against the devserver's public REST API routes: the client sends to
// /v1/events/batch and queries /v1/query, with the Connect path's retries, batch splitting and
// outbox, configured in code or by CHAUKAS_PROTOCOL.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { Code, type Interceptor } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runSupportAgent } from "../../../examples/node-agent/src/agent.js";
import { createChaukasClientFromEnv } from "../src/client-from-env.js";
import { createFileOutbox } from "../src/file-outbox.js";
import { type ChaukasNodeClientOptions, createChaukasNodeClient } from "../src/node-client.js";

const API_KEY = "ck_rest_node";
let server: DevServer;
let dir: string;
beforeAll(async () => {
  server = await startDevServer({ port: 0, apiKey: API_KEY });
  dir = mkdtempSync(join(tmpdir(), "chaukas-rest-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => server.faults.reset());

/** Each call's method and path, as the transport sent it. */
function recordCalls(): { paths: string[]; interceptor: Interceptor } {
  const paths: string[] = [];
  return {
    paths,
    interceptor: (next) => (request) => {
      paths.push(`${request.requestMethod} ${new URL(request.url).pathname}`);
      return next(request);
    },
  };
}

function restClient(options: Partial<ChaukasNodeClientOptions> = {}): ChaukasClient {
  return createChaukasNodeClient({
    baseUrl: server.url,
    protocol: "rest",
    apiKey: API_KEY,
    tenantId: "acme",
    projectId: "support-bot",
    exitFlush: false,
    retry: { initialBackoffMs: 1, maxBackoffMs: 10 },
    ...options,
  });
}

describe('protocol "rest" on Node', () => {
  it("sends a session to /v1/events/batch and reads it back from /v1/query", async () => {
    const calls = recordCalls();
    const chaukas = restClient({ interceptors: [calls.interceptor] });
    const { sessionId } = await runSupportAgent(chaukas, { pace: 0 });
    await chaukas.flush();
    const back: string[] = [];
    for await (const event of chaukas.query({ sessionId }, { order: "asc" })) {
      back.push(event.eventId);
    }
    await chaukas.shutdown();

    expect(chaukas.stats()).toMatchObject({ emitted: 30, sent: 30, failed: 0 });
    const stored = server.store.events().filter((e) => e.sessionId === sessionId);
    expect(back).toEqual(stored.map((e) => e.eventId));
    expect(new Set(calls.paths)).toEqual(new Set(["POST /v1/events/batch", "POST /v1/query"]));
  });

  it('speaks HTTP/2 too (httpVersion: "2")', async () => {
    const chaukas = restClient({ httpVersion: "2" });
    const id = chaukas.system("over h2c");
    await chaukas.shutdown();
    expect(server.store.get(id)).toBeDefined();
  });

  it("retries what the backend fails with 503, with the same batch, until it is stored", async () => {
    server.faults.set({ failFirst: { code: Code.Unavailable, n: 2 } });
    const errors: Code[] = [];
    const chaukas = restClient({ onError: (error) => errors.push(error.code) });
    const ids = [chaukas.system("one"), chaukas.system("two")];
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 2, failed: 0, retried: 2 });
    expect(errors).toEqual([Code.Unavailable, Code.Unavailable]);
    for (const id of ids) expect(server.store.get(id)).toBeDefined();
  });

  it("splits a batch the backend refuses as too large (413) until each part fits", async () => {
    server.faults.set({ maxBatchBytes: 1200 });
    const chaukas = restClient({ flushIntervalMs: 60_000 });
    const ids = Array.from({ length: 6 }, (_, i) => chaukas.system(`${"x".repeat(300)} ${i}`));
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 6, failed: 0 });
    expect(chaukas.stats().exportCalls).toBeGreaterThan(1);
    for (const id of ids) expect(server.store.get(id)).toBeDefined();
  });

  it("fails for good, not retried, on a wrong API key", async () => {
    const errors: Code[] = [];
    const chaukas = restClient({ apiKey: "wrong", onError: (error) => errors.push(error.code) });
    chaukas.system("refused");
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(errors).toEqual([Code.Unauthenticated]);
  });

  it("delivers from its file outbox, which it empties once the backend has the batches", async () => {
    const outboxDir = join(dir, "outbox");
    const chaukas = restClient({ outbox: createFileOutbox({ directory: outboxDir }) });
    const id = chaukas.system("through the outbox");
    await chaukas.shutdown();
    expect(server.store.get(id)).toBeDefined();
    const left = readdirSync(outboxDir, { recursive: true }).filter((f) =>
      String(f).endsWith(".batch"),
    );
    expect(left).toEqual([]);
  });

  it("is chosen by CHAUKAS_PROTOCOL=rest", async () => {
    const calls = recordCalls();
    const chaukas = createChaukasClientFromEnv(
      { exitFlush: false, interceptors: [calls.interceptor] },
      {
        CHAUKAS_ENDPOINT: server.url,
        CHAUKAS_API_KEY: API_KEY,
        CHAUKAS_TENANT_ID: "acme",
        CHAUKAS_PROJECT_ID: "support-bot",
        CHAUKAS_PROTOCOL: "rest",
      },
    );
    const id = chaukas.system("from the environment");
    await chaukas.shutdown();
    expect(server.store.get(id)).toBeDefined();
    expect(calls.paths).toEqual(["POST /v1/events/batch"]);
  });
});
