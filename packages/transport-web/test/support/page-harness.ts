import { type DevServer, startDevServer } from "@chaukas/devserver";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { bundleForRuntime } from "./bundle.js";
import { launchChromium } from "./chromium.js";
import { startStaticServer } from "./static-server.js";

/** What a fixture page exposes on `globalThis`: methods the test calls by name. */
type PageApi<Api> = { [M in keyof Api]: (...args: never[]) => unknown };

/**
 * A fixture page in Chromium: bundled for the browser and served at `/` of a static server,
 * beside a local backend. The page sets its title to "ready" once its API is on `globalThis`.
 */
export interface PageHarness<Api extends PageApi<Api>> {
  readonly devserver: DevServer;
  readonly browser: Browser;
  /** Opens the page in a new tab of `context` and waits until it is ready. */
  openPage(context: BrowserContext): Promise<Page>;
  /** Loads (or reloads) the page in `page` and waits until it is ready. */
  load(page: Page): Promise<void>;
  /** Calls the page's API method `method` with `args`. */
  call<M extends keyof Api & string>(
    page: Page,
    method: M,
    ...args: Parameters<Api[M]>
  ): Promise<Awaited<ReturnType<Api[M]>>>;
  close(): Promise<void>;
}

/** Starts the backend, the static server with the bundled `fixture`, and Chromium. */
export async function startPageHarness<Api extends PageApi<Api>>(
  fixture: URL,
  apiName: string,
): Promise<PageHarness<Api>> {
  const script = await bundleForRuntime(fixture.pathname);
  const [devserver, site, browser] = await Promise.all([
    startDevServer({ port: 0 }),
    startStaticServer({
      "/": ["text/html", '<!doctype html><script type="module" src="/page.js"></script>'],
      "/page.js": ["text/javascript", script],
    }),
    launchChromium(),
  ]);
  const load = async (page: Page) => {
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => document.title === "ready");
  };
  return {
    devserver,
    browser,
    load,
    async openPage(context) {
      const page = await context.newPage();
      await load(page);
      return page;
    },
    call(page, method, ...args) {
      return page.evaluate(
        ([api, name, values]) =>
          // biome-ignore lint/suspicious/noExplicitAny: the page's API, called by name
          (globalThis as any)[api][name](...values),
        [apiName, method, args] as const,
      );
    },
    async close() {
      await Promise.all([browser.close(), site.close(), devserver.close()]);
    },
  };
}
