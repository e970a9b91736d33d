// `pnpm demo -- --keep`, then the trace viewer it leaves running, in Chromium: the demo's
// session is listed, its waterfall nests all 19 types as the terminal tree does, an event
// opens its JSON, and an event sent afterwards appears without a reload.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EventType } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../../packages/transport-web/test/support/chromium.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = here("../../../");
const TSX_LOADER = pathToFileURL(`${repoRoot}node_modules/tsx/dist/loader.mjs`).href;
const SCREENSHOT = `${repoRoot}.test-output/trace-viewer.png`;

const ALL_TYPE_NAMES = Object.values(EventType).filter(
  (v): v is string => typeof v === "string" && v !== "UNSPECIFIED",
);

/** One line of the demo's span tree: its depth and its type(s), e.g. "TOOL_CALL_START → END". */
interface TreeLine {
  depth: number;
  types: string;
}

/** Reads the span tree the demo printed: depth from the "│  " / "├─ " prefix, then the types. */
function terminalTree(stdout: string): TreeLine[] {
  const lines: TreeLine[] = [];
  for (const line of stdout.split("\n")) {
    const match =
      /^\s+\+\S+ m?s\s+(?:\S+ m?s)?\s+((?:[│ ] {2})*)(?:[├└]─ )?[●•✗] ([A-Z_]+(?: → [A-Z]+)?)/.exec(
        line,
      );
    if (match === null) continue;
    const prefix = match[1] ?? "";
    const branch = /[├└]─ /.test(line) ? 1 : 0;
    lines.push({ depth: prefix.length / 3 + branch, types: match[2] ?? "" });
  }
  return lines;
}

let demo: ChildProcess;
let demoExit: Promise<unknown[]>;
let stdout = "";
let viewerUrl: string;
let sessionId: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The viewer bundle from the workspace sources, as the demo's devserver serves it.
  execFileSync(
    process.execPath,
    [`${repoRoot}packages/devserver/scripts/build-viewer.mjs`, "--from-sources"],
    { stdio: "pipe" },
  );
  demo = spawn(
    process.execPath,
    // At the demo's own pace (about a second), so the waterfall's bars have real lengths.
    ["--import", TSX_LOADER, here("../src/demo.ts"), "--", "--keep"],
    {
      env: { ...process.env, TSX_TSCONFIG_PATH: here("./tsconfig.json"), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  demoExit = once(demo, "exit");
  const kept = new Promise<string>((resolve, reject) => {
    demo.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /keeps running: open (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    demo.once("exit", (code) =>
      reject(new Error(`the demo exited (${code}) before --keep:\n${stdout}`)),
    );
  });
  viewerUrl = await kept;
  sessionId = decodeURIComponent(/#session=(.+)$/.exec(viewerUrl)?.[1] ?? "");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(viewerUrl);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (demo !== undefined && demo.exitCode === null) {
    demo.kill("SIGINT");
    await demoExit;
  }
});

describe("the trace viewer of `pnpm demo -- --keep`", () => {
  it("prints the viewer's URL on start and keeps serving it after the session", () => {
    expect(stdout).toMatch(/trace viewer on http:\/\/127\.0\.0\.1:\d+\//);
    expect(viewerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#session=/);
    expect(demo.exitCode).toBeNull();
  });

  it("lists the demo's session with its agent, event count, errors, tokens and cost", async () => {
    const row = page.locator(`.sessions tr[data-session-id="${sessionId}"]`);
    await row.waitFor();
    const cells = await row.locator("td").allInnerTexts();
    expect(cells[1]).toContain("Support Desk");
    expect(cells.slice(3)).toEqual(["30", "3", "2,600", "$0.000536"]);
  });

  it("shows the session as a waterfall nested as the terminal tree, all 19 types", async () => {
    const rows = page.locator(".waterfall .wf-row");
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const shown = await rows.evaluateAll((elements) =>
      elements.map((element) => {
        const data = (element as HTMLElement).dataset;
        return {
          depth: Number(data.depth),
          types:
            data.endType === undefined
              ? data.type
              : `${data.type} → ${data.endType.replace(/^.*_/, "")}`,
          hasBar: element.querySelector(".bar") !== null,
        };
      }),
    );
    const tree = terminalTree(stdout);
    expect(tree).toHaveLength(20);
    expect(shown.map(({ depth, types }) => ({ depth, types }))).toEqual(tree);
    // START→END spans are bars on the time axis, single events are marks.
    for (const row of shown) expect(row.hasBar).toBe(row.types?.includes("→"));
    const typesShown = new Set(
      await rows.evaluateAll((elements) =>
        elements.flatMap((element) => {
          const data = (element as HTMLElement).dataset;
          return [data.type, data.endType].filter((type) => type !== undefined);
        }),
      ),
    );
    expect([...typesShown].sort()).toEqual([...ALL_TYPE_NAMES].sort());
    // Failures are marked: the two failed tool calls and the ERROR event.
    expect(await page.locator(".wf-row.failed").count()).toBe(3);
  });

  it("opens an event's full JSON on click", async () => {
    const failedCall = page.locator('.wf-row.failed[data-type="TOOL_CALL_START"]').first();
    await failedCall.click();
    const detail = page.locator(".detail-pane");
    await expect.poll(() => detail.locator(".event-json").count()).toBe(2);
    const json = await detail.locator(".event-json pre").allInnerTexts();
    const [start, end] = json.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(start?.type).toBe("EVENT_TYPE_TOOL_CALL_START");
    expect(start?.sessionId).toBe(sessionId);
    expect(end?.type).toBe("EVENT_TYPE_TOOL_CALL_END");
    expect(end?.status).toBe("EVENT_STATUS_FAILED");

    // The picture for people: the demo's session, the failed call selected, its JSON open.
    mkdirSync(`${repoRoot}.test-output`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it("shows a new event of the session live, without a reload", async () => {
    const baseUrl = new URL(viewerUrl).origin;
    const client = createChaukasNodeClient({ baseUrl, tenantId: "acme", projectId: "support-bot" });
    let sessionStart: { spanId: string; traceId: string } | undefined;
    for await (const event of client.query({ sessionId, types: ["SESSION_START"] })) {
      sessionStart = event;
    }
    expect(sessionStart).toBeDefined();
    const rowsBefore = await page.locator(".waterfall .wf-row").count();
    const marker = page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await marker;
    client.emit({
      type: EventType.SYSTEM,
      sessionId,
      traceId: sessionStart?.traceId ?? "",
      parentSpanId: sessionStart?.spanId ?? "",
      agentId: "support-desk",
      content: { case: "message", value: { role: "system", text: "a late note from the test" } },
    });
    await client.shutdown({ timeoutMs: 5000 });

    const late = page.locator(".wf-row", { hasText: "a late note from the test" });
    await late.waitFor({ timeout: 10_000 });
    expect(await page.locator(".waterfall .wf-row").count()).toBe(rowsBefore + 1);
    expect(await late.getAttribute("data-depth")).toBe("1");
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    await expect
      .poll(() =>
        page.locator(`.sessions tr[data-session-id="${sessionId}"] td`).nth(3).textContent(),
      )
      .toBe("31");
  });

  it("filters the waterfall by type, keeping the matches' ancestors as context", async () => {
    await page.selectOption('select[name="type"]', String(EventType.TOOL_CALL_START));
    const matching = page.locator(".wf-row:not(.context)");
    await expect.poll(() => matching.count()).toBe(3);
    expect(
      new Set(await matching.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.type))),
    ).toEqual(new Set(["TOOL_CALL_START"]));
    // Session → Planner → Researcher stay visible, dimmed.
    expect(await page.locator(".wf-row.context").count()).toBe(3);
    await page.selectOption('select[name="type"]', "");
  });

  it("stops cleanly on Ctrl-C", async () => {
    demo.kill("SIGINT");
    const [code] = await demoExit;
    expect(code).toBe(0);
  });
});
