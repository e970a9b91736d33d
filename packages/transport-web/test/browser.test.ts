import { equals, fromBinary } from "@bufbuild/protobuf";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageApi } from "./fixtures/page.js";
import { bundleForRuntime } from "./support/bundle.js";
import { launchChromium } from "./support/chromium.js";
import { startStaticServer } from "./support/static-server.js";

const ALL_TYPES = Object.values(EventType).filter(
  (v): v is EventType => typeof v === "number" && v !== EventType.UNSPECIFIED,
);

let devserver: DevServer;
let site: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Browser;

beforeAll(async () => {
  const script = await bundleForRuntime(new URL("./fixtures/page.ts", import.meta.url).pathname);
  [devserver, site, browser] = await Promise.all([
    startDevServer({ port: 0 }),
    startStaticServer({
      "/": ["text/html", '<!doctype html><script type="module" src="/page.js"></script>'],
      "/page.js": ["text/javascript", script],
      "/elsewhere": ["text/html", "<!doctype html><title>elsewhere</title>"],
    }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), devserver?.close()]);
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => document.title === "ready");
  return page;
}

function waitForStored(sessionId: string, count: number): Promise<number> {
  return expect
    .poll(() => devserver.store.events().filter((e) => e.sessionId === sessionId).length, {
      timeout: 10_000,
    })
    .toBe(count)
    .then(() => count);
}

describe.each(["connect", "grpc-web", "rest"] as const)(
  "a page on another origin, over %s",
  (protocol) => {
    it("delivers all 19 event types field-for-field and queries them back", async () => {
      const page = await openPage();
      const result = await page.evaluate(
        (options) =>
          (globalThis as unknown as { chaukasTest: PageApi }).chaukasTest.runFullSession(options),
        { baseUrl: devserver.url, protocol },
      );
      await page.close();

      expect(new URL(devserver.url).origin).not.toBe(new URL(site.url).origin);
      expect(result.pending).toBe(0);
      const sent = result.sent.map((b64) => fromBinary(EventSchema, Buffer.from(b64, "base64")));
      expect(new Set(sent.map((e) => e.type))).toEqual(new Set(ALL_TYPES));
      expect([...result.queriedTypes].sort()).toEqual(sent.map((e) => e.type).sort());
      for (const event of sent) {
        const stored = devserver.store.get(event.eventId);
        expect(stored, `event ${event.eventId} stored`).toBeDefined();
        expect(equals(EventSchema, stored!, event), `event ${event.eventId} intact`).toBe(true);
      }
    });
  },
);

describe("navigating away", () => {
  it.each(["connect", "grpc-web", "rest"] as const)(
    "delivers the events queued just before page.goto via the keepalive flush (%s)",
    async (protocol) => {
      const page = await openPage();
      const { sessionId, queued } = await page.evaluate(
        (options) =>
          (globalThis as unknown as { chaukasTest: PageApi }).chaukasTest.startUnflushedSession(
            options,
          ),
        { baseUrl: devserver.url, protocol, count: 60 },
      );
      // SESSION_START + 60 inputs, all still queued: the flush interval is ten minutes.
      expect(queued).toBe(61);
      expect(devserver.store.events().filter((e) => e.sessionId === sessionId)).toHaveLength(0);
      await page.goto(`${site.url}/elsewhere`);
      await waitForStored(sessionId, 61);
      await page.close();
    },
  );
});
