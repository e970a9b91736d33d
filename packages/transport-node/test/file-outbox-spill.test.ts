// An outage longer than memory, with the file outbox: events beyond `maxQueueSize` wait on disk
// only (released from memory) and are read back from their files when their turn comes. Once
// the backend is up, each reaches it once and none is dropped; with a small `maxBytes`, what
// the outbox removed is counted and flush() still returns.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type ChaukasClient, createChaukasClient, LOSS_REPORT_KEY } from "@chaukas/client";
import { fromStoredBatch } from "@chaukas/client/outbox";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
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

/**
 * Small, yet above what a paced agent needs in memory while the outbox is slow: a batch can be
 * released only once written, and batches being sent or written hold their events meanwhile.
 */
const MAX_QUEUE_SIZE = 100;
const SESSIONS = 30;
const PER_SESSION = 20;
const COUNT = SESSIONS * PER_SESSION;

/**
 * A client with a file outbox (`maxBytes` if given) and `maxQueueSize` 100, whose backend is down
 * until `backendUp()` starts the devserver on its port.
 */
async function clientWithBackendDown(maxBytes?: number) {
  const directory = mkdtempSync(join(tmpdir(), "chaukas-spill-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const port = await freePort();
  const finalErrors: string[] = [];
  const chaukas = createChaukasClient({
    tenantId: "acme",
    projectId: "outbox-spill",
    transport: createNodeTransport({ baseUrl: `http://127.0.0.1:${port}`, protocol: "grpc" }),
    outbox: createFileOutbox({ directory, ...(maxBytes === undefined ? {} : { maxBytes }) }),
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
  const backendUp = async (): Promise<DevServer> => {
    const server = await startDevServer({ port });
    cleanups.push(() => server.close());
    return server;
  };
  return { chaukas, directory, finalErrors, backendUp };
}

/**
 * 30 sessions one after another, pausing a few milliseconds every 10 events as an agent between
 * steps does. Returns the session ids and the ids of the SYSTEM events.
 */
async function emitSessions(chaukas: ChaukasClient) {
  const sessionIds: string[] = [];
  const systemIds: string[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const session = chaukas.startSession({ agentId: `agent-${s}` });
    sessionIds.push(session.id);
    for (let i = 1; i < PER_SESSION; i++) {
      systemIds.push(session.system(`session ${s} step ${i}`));
      if ((s * PER_SESSION + i + 1) % 10 === 0) await new Promise((r) => setTimeout(r, 10));
    }
  }
  return { sessionIds, systemIds };
}

type Event = ReturnType<DevServer["store"]["events"]>[number];
const isLossReport = (event: Event) => event.metadata?.[LOSS_REPORT_KEY] !== undefined;

/** What the backend stored for these sessions: the application's events and the loss reports. */
function backendEvents(server: DevServer, sessionIds: readonly string[]) {
  const sessions = new Set(sessionIds);
  const events = server.store.events().filter((event) => sessions.has(event.sessionId));
  return { app: events.filter((e) => !isLossReport(e)), reports: events.filter(isLossReport) };
}

/** The `chaukas_loss` record of a loss report. */
function lossOf(report: Event): { events: number; counts: Record<string, number> } {
  return report.metadata?.[LOSS_REPORT_KEY] as { events: number; counts: Record<string, number> };
}

/** Emits the 600 events into an outbox of 30 000 bytes (about ten batches), then backend up. */
async function evictionRun() {
  const { chaukas, directory, finalErrors, backendUp } = await clientWithBackendDown(30_000);
  const { sessionIds, systemIds } = await emitSessions(chaukas);
  await expect.poll(() => chaukas.stats().dropped.outboxFull).toBeGreaterThan(0);
  const server = await backendUp();
  expect(await chaukas.flush({ timeoutMs: 30_000 })).toMatchObject({ completed: true });
  // Storing the reports of losses noted during that flush can remove older batches from the
  // full outbox, whose loss is reported in turn: flush until nothing is pending.
  await expect
    .poll(async () => (await chaukas.flush({ timeoutMs: 30_000 })).pending, { timeout: 30_000 })
    .toBe(0);
  return { chaukas, directory, finalErrors, server, sessionIds, systemIds };
}

describe("file outbox: an outage longer than memory", () => {
  it("600 events emitted with maxQueueSize 100 while the backend is down all wait on disk, none dropped, and each reaches it once when it comes up", async () => {
    const { chaukas, directory, finalErrors, backendUp } = await clientWithBackendDown();
    const { sessionIds, systemIds } = await emitSessions(chaukas);
    expect(new Set(systemIds).size).toBe(COUNT - SESSIONS);
    await expect.poll(() => storedEvents(directory), { timeout: 15_000 }).toBe(COUNT);
    const down = chaukas.stats();
    // Six times what memory may hold is pending, and nothing was dropped or sent.
    expect(down.queued + down.inFlight).toBe(COUNT);
    expect(down).toMatchObject({ emitted: COUNT, sent: 0, failed: 0, lossReports: 0 });
    expect(Object.values(down.dropped).every((n) => n === 0)).toBe(true);
    expect(down.retried).toBeGreaterThan(0);

    const server = await backendUp();
    expect(await chaukas.flush({ timeoutMs: 30_000 })).toEqual({ completed: true, pending: 0 });

    const { app, reports } = backendEvents(server, sessionIds);
    const ids = new Set(app.map((event) => event.eventId));
    expect(systemIds.filter((id) => !ids.has(id))).toEqual([]);
    for (const sessionId of sessionIds) {
      expect(app.filter((event) => event.sessionId === sessionId)).toHaveLength(PER_SESSION);
    }
    expect(reports).toEqual([]);
    // Each event went over the wire once: no batch was read back and sent twice.
    expect(server.store.received).toBe(COUNT);
    expect(server.store.duplicates).toBe(0);
    const after = chaukas.stats();
    expect(after).toMatchObject({ sent: COUNT, failed: 0, queued: 0, inFlight: 0 });
    expect(Object.values(after.dropped).every((n) => n === 0)).toBe(true);
    expect(finalErrors).toEqual([]);
    expect(recordFiles(directory)).toEqual([]);
  }, 60_000);

  it("batches removed to keep the outbox within maxBytes count as dropped (outboxFull), the rest reach the backend once, and flush() returns", async () => {
    const { chaukas, directory, finalErrors, server, sessionIds, systemIds } = await evictionRun();
    const stats = chaukas.stats();
    expect(stats.dropped.outboxFull).toBeGreaterThan(0);
    expect(stats.dropped.queueFull).toBe(0);
    // Every event, the client's loss reports included, was sent, dropped for room, or failed;
    // a batch evicted while being read back fails with onError, nothing else fails.
    expect(stats.sent + stats.failed + stats.dropped.outboxFull).toBe(COUNT + stats.lossReports);
    expect(stats).toMatchObject({ queued: 0, inFlight: 0 });
    expect(finalErrors.every((e) => e.startsWith("outbox-failed"))).toBe(true);
    const { app, reports } = backendEvents(server, sessionIds);
    expect(app.length + reports.length).toBe(stats.sent);
    expect(server.store.received).toBe(stats.sent);
    expect(server.store.duplicates).toBe(0);
    const emitted = new Set(systemIds);
    expect(
      app.filter((e) => !emitted.has(e.eventId) && e.type !== EventType.SESSION_START),
    ).toEqual([]);
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports)
      expect(Object.keys(lossOf(report).counts)).toEqual(["outboxFull"]);
    expect(recordFiles(directory)).toEqual([]);
  }, 60_000);

  // Loss reports queued during the outage are stored in the outbox too, and evicted oldest-first
  // like any batch: what a removed report carried must reach the backend in a later one.
  it("every event lost to a full outbox is counted by a loss report the backend holds, in its session", async () => {
    const { server, sessionIds } = await evictionRun();
    const { app, reports } = backendEvents(server, sessionIds);
    const unreported = sessionIds.flatMap((sessionId) => {
      const lost = PER_SESSION - app.filter((e) => e.sessionId === sessionId).length;
      const reported = reports
        .filter((e) => e.sessionId === sessionId)
        .reduce((sum, report) => sum + lossOf(report).events, 0);
      return reported >= lost ? [] : [{ sessionId, lost, reported }];
    });
    expect(unreported).toEqual([]);
  }, 60_000);
});
