// The IndexedDB outbox in Chromium: events emitted while offline survive a reload and reach the
// backend once the browser is online again, and with several tabs no event is delivered twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxPageApi } from "./fixtures/outbox-page.js";
import { type PageHarness, startPageHarness } from "./support/page-harness.js";

let harness: PageHarness<OutboxPageApi>;

beforeAll(async () => {
  harness = await startPageHarness(
    new URL("./fixtures/outbox-page.ts", import.meta.url),
    "outboxTest",
  );
});

afterAll(async () => {
  await harness?.close();
});

const startOptions = (dbName: string) =>
  ({ baseUrl: harness.devserver.url, protocol: "connect", dbName }) as const;

/** Events of the session the backend stored. */
function backendCounts(sessionId: string) {
  return harness.devserver.store.events().filter((event) => event.sessionId === sessionId).length;
}

describe("IndexedDB outbox in Chromium", () => {
  it("events emitted offline survive a reload and reach the backend once when back online", async () => {
    const COUNT = 40;
    const context = await harness.browser.newContext();
    const page = await harness.openPage(context);
    const options = startOptions("reload-test");
    await harness.call(page, "start", options);
    await context.setOffline(true);
    const sessionId = await harness.call(page, "emitSession", COUNT);
    await expect.poll(() => harness.call(page, "storedEvents", "reload-test")).toBe(COUNT);
    expect(backendCounts(sessionId)).toBe(0);
    const received = harness.devserver.store.received;
    const duplicates = harness.devserver.store.duplicates;

    // The reload needs the page's own server: the browser goes online for it, with the backend
    // still unreachable (its port closed, so no request of either page can reach it).
    harness.devserver.faults.set({ down: true });
    await harness.devserver.faults.settled();
    await context.setOffline(false);
    await page.reload();
    await page.waitForFunction(() => document.title === "ready");
    await harness.call(page, "start", options);
    // The new page took the batches over, but cannot send them yet.
    await expect
      .poll(() => harness.call(page, "stats"))
      .toMatchObject({ recovered: COUNT, sent: 0 });
    await expect.poll(() => harness.call(page, "stats").then((s) => s.retried)).toBeGreaterThan(0);
    expect(backendCounts(sessionId)).toBe(0);

    // Offline, then back online: the backend is reachable again.
    await context.setOffline(true);
    harness.devserver.faults.reset();
    await harness.devserver.faults.settled();
    await context.setOffline(false);
    await expect.poll(() => backendCounts(sessionId), { timeout: 15_000 }).toBe(COUNT);
    await expect.poll(() => harness.call(page, "storedEvents", "reload-test")).toBe(0);
    expect(await harness.call(page, "stats")).toMatchObject({ recovered: COUNT, sent: COUNT });
    expect(harness.devserver.store.received - received).toBe(COUNT);
    expect(harness.devserver.store.duplicates - duplicates).toBe(0);
    await context.close();
  }, 60_000);

  it("a closed tab's batches go to one of two open tabs; retries run out offline, `online` sends them, none twice", async () => {
    const COUNT = 60;
    const context = await harness.browser.newContext();
    const writer = await harness.openPage(context);
    const tabs = [await harness.openPage(context), await harness.openPage(context)];
    // The open tabs give a batch up after 300 ms of failures: only `online` brings them back.
    for (const page of tabs) {
      await harness.call(page, "start", { ...startOptions("tabs-test"), maxElapsedMs: 300 });
    }
    await context.setOffline(true);
    await harness.call(writer, "start", startOptions("tabs-test"));
    const sessionId = await harness.call(writer, "emitSession", COUNT);
    await expect.poll(() => harness.call(writer, "storedEvents", "tabs-test")).toBe(COUNT);
    const received = harness.devserver.store.received;
    const duplicates = harness.devserver.store.duplicates;
    await writer.close();

    // The writer's lock is released: the open tabs take its batches over, one tab each batch,
    // try them while offline, give up, and keep them stored.
    const stats = () => Promise.all(tabs.map((tab) => harness.call(tab, "stats")));
    await expect
      .poll(async () => (await stats()).reduce((sum, s) => sum + s.failed, 0), { timeout: 15_000 })
      .toBe(COUNT);
    expect((await stats()).reduce((sum, s) => sum + s.recovered, 0)).toBe(COUNT);
    expect(await harness.call(tabs[0]!, "storedEvents", "tabs-test")).toBe(COUNT);
    expect(backendCounts(sessionId)).toBe(0);

    await context.setOffline(false);
    await expect.poll(() => backendCounts(sessionId), { timeout: 15_000 }).toBe(COUNT);
    await expect.poll(() => harness.call(tabs[0]!, "storedEvents", "tabs-test")).toBe(0);
    // Each batch was taken again after `online` by the tab that held it.
    const after = await stats();
    expect(after.reduce((sum, s) => sum + s.sent, 0)).toBe(COUNT);
    expect(after.reduce((sum, s) => sum + s.recovered, 0)).toBe(2 * COUNT);
    expect(harness.devserver.store.received - received).toBe(COUNT);
    expect(harness.devserver.store.duplicates - duplicates).toBe(0);
    await context.close();
  }, 60_000);

  it("repairs a database of its name that a script on the page made empty, and stores in it", async () => {
    const context = await harness.browser.newContext();
    const page = await harness.openPage(context);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open("made-empty");
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    await harness.call(page, "start", startOptions("made-empty"));
    await context.setOffline(true);
    await harness.call(page, "emitSession", 20);
    await expect.poll(() => harness.call(page, "storedEvents", "made-empty")).toBe(20);
    await context.close();
  }, 60_000);
});
