// An outage longer than memory, in Chromium: with an IndexedDB outbox, events beyond
// `maxQueueSize` wait in IndexedDB only (released from memory) and are read back when their
// turn comes. Each reaches the backend once; a batch that vanished from IndexedDB meanwhile is
// counted and reported, and flush() still returns.
import { LOSS_REPORT_KEY } from "@chaukas/client";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpillPageApi } from "./fixtures/spill-page.js";
import { type PageHarness, startPageHarness } from "./support/page-harness.js";

let harness: PageHarness<SpillPageApi>;

beforeAll(async () => {
  harness = await startPageHarness(
    new URL("./fixtures/spill-page.ts", import.meta.url),
    "spillTest",
  );
});

afterAll(async () => {
  await harness?.close();
});

/**
 * Small, yet above what a paced agent needs in memory while the outbox is slow: a batch can be
 * released only once written, and batches being sent or written hold their events meanwhile.
 */
const MAX_QUEUE_SIZE = 100;
const SESSIONS = 30;
const PER_SESSION = 20;
const COUNT = SESSIONS * PER_SESSION;

const isLossReport = (event: Event) => event.metadata?.[LOSS_REPORT_KEY] !== undefined;

/** What the backend stored for these sessions: the application's events and the loss reports. */
function backendEvents(sessionIds: readonly string[]) {
  const sessions = new Set(sessionIds);
  const events = harness.devserver.store.events().filter((event) => sessions.has(event.sessionId));
  return {
    app: events.filter((event) => !isLossReport(event)),
    reports: events.filter(isLossReport),
  };
}

/**
 * Opens a page whose client has `maxQueueSize` 100, takes the browser offline and emits 600
 * events in 30 sessions at an agent's pace; returns once all of them are in IndexedDB.
 */
async function emitWhileOffline(dbName: string, maxBytes?: number) {
  const context = await harness.browser.newContext();
  const page = await harness.openPage(context);
  await harness.call(page, "start", {
    baseUrl: harness.devserver.url,
    dbName,
    maxQueueSize: MAX_QUEUE_SIZE,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  await context.setOffline(true);
  const before = {
    received: harness.devserver.store.received,
    duplicates: harness.devserver.store.duplicates,
  };
  const emitted = await harness.call(page, "emitSessions", {
    sessions: SESSIONS,
    perSession: PER_SESSION,
    pauseMs: 10,
  });
  return { context, page, before, ...emitted };
}

/**
 * `emitWhileOffline` (each browser context has its own IndexedDB) with an outbox of 30 000 bytes (about ten batches of these events), until it
 * removed batches to make room; then online, and flushed.
 */
async function evictionRun() {
  const run = await emitWhileOffline("evict", 30_000);
  await expect
    .poll(async () => (await harness.call(run.page, "stats")).dropped.outboxFull, {
      timeout: 15_000,
    })
    .toBeGreaterThan(0);
  await run.context.setOffline(false);
  expect(await harness.call(run.page, "flush", 40_000)).toMatchObject({ completed: true });
  // Storing the reports of losses noted during that flush can remove older batches from the
  // full outbox, whose loss is reported in turn: flush until nothing is pending.
  await expect
    .poll(async () => (await harness.call(run.page, "flush", 40_000)).pending, { timeout: 30_000 })
    .toBe(0);
  return run;
}

/** The `chaukas_loss` record of a loss report. */
function lossOf(report: Event): { events: number; counts: Record<string, number> } {
  return report.metadata?.[LOSS_REPORT_KEY] as { events: number; counts: Record<string, number> };
}

describe("IndexedDB outbox in Chromium: an outage longer than memory", () => {
  it("600 events emitted offline with maxQueueSize 100 all wait in IndexedDB, none dropped, and each reaches the backend once when back online", async () => {
    const { context, page, before, sessionIds, systemIds } = await emitWhileOffline("spill");
    expect(new Set(systemIds).size).toBe(COUNT - SESSIONS);
    await expect
      .poll(() => harness.call(page, "storedEvents", "spill"), { timeout: 15_000 })
      .toBe(COUNT);
    const offline = await harness.call(page, "stats");
    // Six times what memory may hold is pending, and nothing was dropped or sent.
    expect(offline.queued + offline.inFlight).toBe(COUNT);
    expect(offline).toMatchObject({ emitted: COUNT, sent: 0, failed: 0, lossReports: 0 });
    expect(Object.values(offline.dropped).every((n) => n === 0)).toBe(true);
    expect(backendEvents(sessionIds).app).toHaveLength(0);

    await context.setOffline(false);
    expect(await harness.call(page, "flush", 40_000)).toEqual({ completed: true, pending: 0 });

    const { app, reports } = backendEvents(sessionIds);
    const stored = new Set(app.map((event) => event.eventId));
    expect(systemIds.filter((id) => !stored.has(id))).toEqual([]);
    for (const sessionId of sessionIds) {
      expect(app.filter((event) => event.sessionId === sessionId)).toHaveLength(PER_SESSION);
    }
    expect(reports).toHaveLength(0);
    // Each event went over the wire once: no batch was read back and sent twice.
    expect(harness.devserver.store.received - before.received).toBe(COUNT);
    expect(harness.devserver.store.duplicates - before.duplicates).toBe(0);
    const after = await harness.call(page, "stats");
    expect(after).toMatchObject({ sent: COUNT, failed: 0, queued: 0, inFlight: 0 });
    expect(after.dropped.queueFull).toBe(0);
    expect(Object.values(after.dropped).every((n) => n === 0)).toBe(true);
    // Every failure on the way was an offline attempt that was retried.
    expect((await harness.call(page, "errors")).filter((e) => !e.willRetry)).toEqual([]);
    expect(await harness.call(page, "storedEvents", "spill")).toBe(0);
    await context.close();
  }, 60_000);

  it("batches removed to keep the outbox within maxBytes count as dropped (outboxFull), the rest reach the backend once, and flush() returns", async () => {
    const { context, page, before, sessionIds, systemIds } = await evictionRun();
    const stats = await harness.call(page, "stats");
    const { app, reports } = backendEvents(sessionIds);
    expect(stats.dropped.outboxFull).toBeGreaterThan(0);
    expect(stats.dropped.queueFull).toBe(0);
    // Every event, the client's loss reports included, was sent, dropped for room, or failed.
    expect(stats.sent + stats.failed + stats.dropped.outboxFull).toBe(COUNT + stats.lossReports);
    expect(stats).toMatchObject({ queued: 0, inFlight: 0 });
    // A batch evicted while being read back fails with onError; nothing else fails.
    const lostOnReadBack = (await harness.call(page, "errors"))
      .filter((e) => e.reason === "outbox-failed" && !e.willRetry)
      .reduce((sum, e) => sum + e.events, 0);
    expect(stats.failed).toBe(lostOnReadBack);
    // What was sent is at the backend once; it is only what was emitted, and the reports.
    expect(app.length + reports.length).toBe(stats.sent);
    expect(harness.devserver.store.received - before.received).toBe(stats.sent);
    expect(harness.devserver.store.duplicates - before.duplicates).toBe(0);
    const emitted = new Set(systemIds);
    expect(
      app.filter((e) => e.type !== EventType.SESSION_START && !emitted.has(e.eventId)),
    ).toEqual([]);
    expect(app.length).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) {
      expect(Object.keys(lossOf(report).counts)).toEqual(["outboxFull"]);
    }
    expect(await harness.call(page, "storedEvents", "evict")).toBe(0);
    await context.close();
  }, 60_000);

  // Loss reports queued during the outage are stored in the outbox too, and evicted oldest-first
  // like any batch: what a removed report carried must reach the backend in a later one.
  it("every application event lost to a full outbox is counted by a loss report the backend holds, in its session", async () => {
    const { context, sessionIds } = await evictionRun();
    const { app, reports } = backendEvents(sessionIds);
    const unreported = sessionIds.flatMap((sessionId) => {
      const lost = PER_SESSION - app.filter((e) => e.sessionId === sessionId).length;
      const reported = reports
        .filter((e) => e.sessionId === sessionId)
        .reduce((sum, report) => sum + lossOf(report).events, 0);
      return reported >= lost ? [] : [{ sessionId, lost, reported }];
    });
    await context.close();
    expect(unreported).toEqual([]);
  }, 60_000);

  it("batches deleted from IndexedDB while held only there (site data cleared) count as failed, onError says outbox-failed, and flush() returns", async () => {
    const { context, page, before, sessionIds } = await emitWhileOffline("cleared");
    await expect
      .poll(() => harness.call(page, "storedEvents", "cleared"), { timeout: 15_000 })
      .toBe(COUNT);
    const offline = await harness.call(page, "stats");
    expect(await harness.call(page, "clearStoredBatches", "cleared")).toBeGreaterThan(0);
    await context.setOffline(false);
    expect(await harness.call(page, "flush", 40_000)).toEqual({ completed: true, pending: 0 });

    const stats = await harness.call(page, "stats");
    // At least every event beyond what memory holds was only in IndexedDB: those are lost.
    expect(stats.failed).toBeGreaterThanOrEqual(offline.queued + offline.inFlight - MAX_QUEUE_SIZE);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.sent + stats.failed).toBe(COUNT);
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
    const lost = (await harness.call(page, "errors")).filter((e) => !e.willRetry);
    expect(lost.every((e) => e.reason === "outbox-failed")).toBe(true);
    expect(lost.reduce((sum, e) => sum + e.events, 0)).toBe(stats.failed);
    // The batches still in memory were delivered, once each.
    expect(backendEvents(sessionIds).app).toHaveLength(stats.sent);
    expect(harness.devserver.store.received - before.received).toBe(stats.sent);
    expect(harness.devserver.store.duplicates - before.duplicates).toBe(0);
    expect(await harness.call(page, "storedEvents", "cleared")).toBe(0);
    await context.close();
  }, 60_000);
});
