// The IndexedDB outbox in Chromium: events emitted while offline survive a reload and reach the
// backend once the browser is online again, and with several tabs no event is delivered twice.
import { type DevServer, startDevServer } from "@chaukas/devserver";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxPageApi } from "./fixtures/outbox-page.js";
import { bundleForRuntime } from "./support/bundle.js";
import { launchChromium } from "./support/chromium.js";
import { startStaticServer } from "./support/static-server.js";

let devserver: DevServer;
let site: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Browser;

beforeAll(async () => {
  const script = await bundleForRuntime(
    new URL("./fixtures/outbox-page.ts", import.meta.url).pathname,
  );
  [devserver, site, browser] = await Promise.all([
    startDevServer({ port: 0 }),
    startStaticServer({
      "/": ["text/html", '<!doctype html><script type="module" src="/page.js"></script>'],
      "/page.js": ["text/javascript", script],
    }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), devserver?.close()]);
});

type Method = keyof OutboxPageApi;

/** Calls the page's `OutboxPageApi` method with `args`. */
function call<M extends Method>(
  page: Page,
  method: M,
  ...args: Parameters<OutboxPageApi[M]>
): Promise<Awaited<ReturnType<OutboxPageApi[M]>>> {
  return page.evaluate(
    ([name, values]) =>
      // biome-ignore lint/suspicious/noExplicitAny: the page's API, called by name
      (globalThis as any).outboxTest[name](...values),
    [method, args] as const,
  );
}

async function openPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await load(page);
  return page;
}

async function load(page: Page): Promise<void> {
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.title === "ready");
}

const startOptions = (dbName: string) =>
  ({ baseUrl: devserver.url, protocol: "connect", dbName }) as const;

/** Events of the session the backend stored. */
function backendCounts(sessionId: string) {
  return devserver.store.events().filter((event) => event.sessionId === sessionId).length;
}

describe("IndexedDB outbox in Chromium", () => {
  it("events emitted offline survive a reload and reach the backend once when back online", async () => {
    const COUNT = 40;
    const context = await browser.newContext();
    const page = await openPage(context);
    const options = startOptions("reload-test");
    await call(page, "start", options);
    await context.setOffline(true);
    const sessionId = await call(page, "emitSession", COUNT);
    await expect.poll(() => call(page, "storedEvents", "reload-test")).toBe(COUNT);
    expect(backendCounts(sessionId)).toBe(0);
    const received = devserver.store.received;
    const duplicates = devserver.store.duplicates;

    // The reload needs the page's own server: the browser goes online for it, with the backend
    // still unreachable (its requests fail as offline ones do).
    await context.route(`${devserver.url}/**`, (route) => route.abort("internetdisconnected"));
    await context.setOffline(false);
    await page.reload();
    await page.waitForFunction(() => document.title === "ready");
    await call(page, "start", options);
    // The new page took the batches over, but cannot send them yet.
    await expect.poll(() => call(page, "stats")).toMatchObject({ recovered: COUNT, sent: 0 });
    await expect.poll(() => call(page, "stats").then((s) => s.retried)).toBeGreaterThan(0);
    expect(backendCounts(sessionId)).toBe(0);

    // Offline, then back online: the backend is reachable again.
    await context.setOffline(true);
    await context.unrouteAll();
    await context.setOffline(false);
    await expect.poll(() => backendCounts(sessionId), { timeout: 15_000 }).toBe(COUNT);
    await expect.poll(() => call(page, "storedEvents", "reload-test")).toBe(0);
    expect(await call(page, "stats")).toMatchObject({ recovered: COUNT, sent: COUNT });
    expect(devserver.store.received - received).toBe(COUNT);
    expect(devserver.store.duplicates - duplicates).toBe(0);
    await context.close();
  }, 60_000);

  it("a closed tab's batches go to one of two open tabs; retries run out offline, `online` sends them, none twice", async () => {
    const COUNT = 60;
    const context = await browser.newContext();
    const writer = await openPage(context);
    const tabs = [await openPage(context), await openPage(context)];
    // The open tabs give a batch up after 300 ms of failures: only `online` brings them back.
    for (const page of tabs) {
      await call(page, "start", { ...startOptions("tabs-test"), maxElapsedMs: 300 });
    }
    await context.setOffline(true);
    await call(writer, "start", startOptions("tabs-test"));
    const sessionId = await call(writer, "emitSession", COUNT);
    await expect.poll(() => call(writer, "storedEvents", "tabs-test")).toBe(COUNT);
    const received = devserver.store.received;
    const duplicates = devserver.store.duplicates;
    await writer.close();

    // The writer's lock is released: the open tabs take its batches over, one tab each batch,
    // try them while offline, give up, and keep them stored.
    const stats = () => Promise.all(tabs.map((tab) => call(tab, "stats")));
    await expect
      .poll(async () => (await stats()).reduce((sum, s) => sum + s.failed, 0), { timeout: 15_000 })
      .toBe(COUNT);
    expect((await stats()).reduce((sum, s) => sum + s.recovered, 0)).toBe(COUNT);
    expect(await call(tabs[0]!, "storedEvents", "tabs-test")).toBe(COUNT);
    expect(backendCounts(sessionId)).toBe(0);

    await context.setOffline(false);
    await expect.poll(() => backendCounts(sessionId), { timeout: 15_000 }).toBe(COUNT);
    await expect.poll(() => call(tabs[0]!, "storedEvents", "tabs-test")).toBe(0);
    // Each batch was taken again after `online` by the tab that held it.
    const after = await stats();
    expect(after.reduce((sum, s) => sum + s.sent, 0)).toBe(COUNT);
    expect(after.reduce((sum, s) => sum + s.recovered, 0)).toBe(2 * COUNT);
    expect(devserver.store.received - received).toBe(COUNT);
    expect(devserver.store.duplicates - duplicates).toBe(0);
    await context.close();
  }, 60_000);
});
