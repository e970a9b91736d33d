// An outage longer than memory, with the file outbox: events beyond `maxQueueSize` wait on disk
// only (released from memory) and are read back from their files when their turn comes. Once
// the backend is up, each reaches it once and none is dropped.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createChaukasClient, fromStoredBatch } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { createFileOutbox, createNodeTransport } from "@chaukas/transport-node";
import { afterEach, describe, expect, it } from "vitest";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A free loopback port where nothing listens yet: the backend is down until it starts there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Record files (`*.batch`) under `directory`, in any process's subdirectory. */
function recordFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".batch"))
    .map((name) => join(directory, name));
}

/** Events the outbox's records hold: each file is a 12-byte header, then the stored request. */
function storedEvents(directory: string): number {
  return recordFiles(directory).reduce((sum, path) => {
    const request = new Uint8Array(readFileSync(path).subarray(12));
    const batchId = basename(path, ".batch");
    return sum + fromStoredBatch({ batchId, request }).events.length;
  }, 0);
}

const MAX_QUEUE_SIZE = 50;
const SESSIONS = 30;
const PER_SESSION = 20;
const COUNT = SESSIONS * PER_SESSION;

describe("file outbox: an outage longer than memory", () => {
  it("600 events emitted with maxQueueSize 50 while the backend is down all wait on disk, none dropped, and each reaches it once when it comes up", async () => {
    const directory = mkdtempSync(join(tmpdir(), "chaukas-spill-"));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const port = await freePort();
    const finalErrors: string[] = [];
    const chaukas = createChaukasClient({
      tenantId: "acme",
      projectId: "outbox-spill",
      transport: createNodeTransport({ baseUrl: `http://127.0.0.1:${port}`, protocol: "grpc" }),
      outbox: createFileOutbox({ directory }),
      maxQueueSize: MAX_QUEUE_SIZE,
      maxBatchSize: 10,
      flushIntervalMs: 20,
      exportTimeoutMs: 2000,
      // Short backoff: once the backend is up, the retried batch goes within half a second.
      retry: { maxBackoffMs: 500 },
      onError: (error, { reason, willRetry }) => {
        if (!willRetry) finalErrors.push(`${reason}: ${error.message}`);
      },
    });
    cleanups.push(() => chaukas.shutdown({ timeoutMs: 1000 }));

    // 30 sessions one after another, pausing a few milliseconds every 10 events as an agent
    // between steps does.
    const sessionIds: string[] = [];
    const systemIds: string[] = [];
    for (let s = 0; s < SESSIONS; s++) {
      const session = chaukas.startSession({ agentId: `agent-${s}` });
      sessionIds.push(session.id);
      for (let i = 1; i < PER_SESSION; i++) {
        systemIds.push(session.system(`session ${s} step ${i}`));
        if ((s * PER_SESSION + i + 1) % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    }
    expect(new Set(systemIds).size).toBe(COUNT - SESSIONS);
    await expect.poll(() => storedEvents(directory), { timeout: 15_000 }).toBe(COUNT);
    const down = chaukas.stats();
    // Twelve times what memory may hold is pending, and nothing was dropped or sent.
    expect(down.queued + down.inFlight).toBe(COUNT);
    expect(down).toMatchObject({ emitted: COUNT, sent: 0, failed: 0, lossReports: 0 });
    expect(Object.values(down.dropped).every((n) => n === 0)).toBe(true);
    expect(down.retried).toBeGreaterThan(0);

    const server: DevServer = await startDevServer({ port });
    cleanups.push(() => server.close());
    expect(await chaukas.flush({ timeoutMs: 30_000 })).toEqual({ completed: true, pending: 0 });

    const sessions = new Set(sessionIds);
    const delivered = server.store.events().filter((event) => sessions.has(event.sessionId));
    const ids = new Set(delivered.map((event) => event.eventId));
    expect(systemIds.filter((id) => !ids.has(id))).toEqual([]);
    for (const sessionId of sessionIds) {
      expect(delivered.filter((event) => event.sessionId === sessionId)).toHaveLength(PER_SESSION);
    }
    // Each event went over the wire once: no batch was read back and sent twice.
    expect(server.store.received).toBe(COUNT);
    expect(server.store.duplicates).toBe(0);
    const after = chaukas.stats();
    expect(after).toMatchObject({ sent: COUNT, failed: 0, queued: 0, inFlight: 0 });
    expect(Object.values(after.dropped).every((n) => n === 0)).toBe(true);
    expect(finalErrors).toEqual([]);
    expect(recordFiles(directory)).toEqual([]);
  }, 60_000);
});
