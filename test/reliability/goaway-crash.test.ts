// The backend going away must never crash the agent, nor cost it an event. Real Node agent
// processes (createChaukasClient + createNodeTransport, gRPC over HTTP/2) against a real
// devserver: one whose idle connection gets a GOAWAY just as it starts an export (before the
// fix connect-node's session manager threw "received GOAWAY without any open streams" as an
// uncaught 'error' and killed the process), and one whose backend, in a process of its own,
// goes down and up again and is then killed outright (before the fix calls cut by the closed
// socket failed as Canceled, never retried, and their events were lost).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ChaukasStats } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { afterEach, describe, expect, it } from "vitest";
import { expectBalanced, sleep, storedIds } from "./support.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// One plain Node process with tsx's loader in it (see shutdown.test.ts), resolving @chaukas/*
// to the workspace sources through the fixtures' tsconfig paths.
const TSX_LOADER = here("../../node_modules/tsx/dist/esm/index.mjs");
const FIXTURES = here("../../packages/transport-node/test/fixtures/");
const DOWN_UP_CYCLES = 5;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fixture of packages/transport-node/test/fixtures in a Node process of its own. */
function spawnFixture(
  name: string,
  env: Record<string, string>,
  stdio: ("pipe" | "ignore" | "inherit" | "ipc")[],
): ChildProcess {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, join(FIXTURES, name)], {
    env: { ...process.env, TSX_TSCONFIG_PATH: join(FIXTURES, "tsconfig.json"), ...env },
    stdio,
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

interface AgentOutput {
  sessionId: string;
  readonly emitted: string[];
  readonly errors: string[];
  stats: (ChaukasStats & { result: { completed: boolean; pending: number } }) | undefined;
  exited: boolean;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Reads an agent fixture's stdout protocol ("session", "emitted", "error", "stats" lines). */
function readAgent(child: ChildProcess): AgentOutput {
  const output: AgentOutput = {
    sessionId: "",
    emitted: [],
    errors: [],
    stats: undefined,
    exited: false,
    exit: new Promise((resolve) =>
      child.on("close", (code, signal) => {
        output.exited = true;
        resolve({ code, signal });
      }),
    ),
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [kind = "", ...rest] = line.split(" ");
    if (kind === "session") output.sessionId = rest[0] ?? "";
    else if (kind === "emitted") output.emitted.push(rest[0] ?? "");
    else if (kind === "error") output.errors.push(rest.join(" "));
    else if (kind === "stats") output.stats = JSON.parse(rest.join(" "));
  });
  return output;
}

/** Resolves once the agent has emitted `more` events beyond what it had emitted on the call. */
async function untilEmitted(agent: AgentOutput, more: number): Promise<void> {
  const target = agent.emitted.length + more;
  while (agent.emitted.length < target) {
    if (agent.exited) throw new Error(`the agent exited early (${agent.errors.join("; ")})`);
    await sleep(10);
  }
}

interface BackendProcess {
  readonly port: number;
  setDown(down: boolean): Promise<void>;
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** fixtures/outage-backend.ts: a devserver in its own process, storing to `data`. */
async function startBackendProcess(data: string, port = 0): Promise<BackendProcess> {
  const child = spawnFixture(
    "outage-backend.ts",
    { CHAUKAS_DATA: data, CHAUKAS_PORT: String(port) },
    ["ignore", "inherit", "inherit", "ipc"],
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const reply = (type: string) =>
    new Promise<{ type: string; port?: number }>((resolve) => {
      const onMessage = (message: { type: string; port?: number }) => {
        if (message.type !== type) return;
        child.off("message", onMessage);
        resolve(message);
      };
      child.on("message", onMessage);
    });
  const ready = await reply("ready");
  return {
    port: ready.port ?? 0,
    async setDown(down) {
      const settled = reply("settled");
      child.send({ type: "down", down });
      await settled;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async close() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

describe("the backend goes away under a running Node agent", () => {
  it("a GOAWAY on the idle connection, read in the turn an export starts: no crash, every event arrives", async () => {
    const server: DevServer = await startDevServer();
    cleanups.push(() => server.close());
    const agent = readAgent(
      spawnFixture("goaway-race-agent.ts", { CHAUKAS_BACKEND: server.url }, [
        "ignore",
        "pipe",
        "inherit",
      ]),
    );

    expect(await agent.exit).toEqual({ code: 0, signal: null });
    expect(agent.stats).toMatchObject({ failed: 0, result: { completed: true, pending: 0 } });
    // The agent runs in its own process: its last stats are the step checked here.
    expectBalanced(agent.stats!);
    // 20 rounds of one GOAWAY each, after the first batch.
    expect(agent.emitted).toHaveLength(210);
    const stored = new Set(storedIds(server, agent.sessionId));
    expect(agent.emitted.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);

  it(`${DOWN_UP_CYCLES} down/up cycles and a killed backend process: no crash, exit 0, 0 events lost`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "chaukas-goaway-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const data = join(dir, "events.jsonl");
    let backend = await startBackendProcess(data);
    cleanups.push(() => backend.close());
    const child = spawnFixture(
      "outage-agent.ts",
      { CHAUKAS_ENDPOINT: `http://127.0.0.1:${backend.port}` },
      ["pipe", "pipe", "inherit"],
    );
    const agent = readAgent(child);

    await untilEmitted(agent, 200);
    for (let cycle = 0; cycle < DOWN_UP_CYCLES; cycle++) {
      await backend.setDown(true);
      await untilEmitted(agent, 200);
      await backend.setDown(false);
      await untilEmitted(agent, 200);
    }
    // Killed outright: no GOAWAY, the kernel closes the sockets. Then back on the same port,
    // with everything the killed process had stored.
    const port = backend.port;
    await backend.kill();
    await untilEmitted(agent, 300);
    backend = await startBackendProcess(data, port);
    await untilEmitted(agent, 200);
    child.stdin!.end("finish\n");

    expect(await agent.exit).toEqual({ code: 0, signal: null });
    await backend.close();
    // The outages were real: exports failed and were retried.
    expect(agent.stats?.retried).toBeGreaterThan(0);
    expect(agent.errors.filter((error) => error.includes(" final "))).toEqual([]);
    expect(agent.stats).toMatchObject({
      emitted: agent.emitted.length + 1,
      sent: agent.emitted.length + 1,
      failed: 0,
      dropped: { queueFull: 0, shutdown: 0, beforeSend: 0, tooLarge: 0 },
      result: { completed: true, pending: 0 },
    });
    expectBalanced(agent.stats!);
    const stored = await startDevServer({ data });
    cleanups.push(() => stored.close());
    const storedSet = new Set(storedIds(stored, agent.sessionId));
    expect(agent.emitted.filter((id) => !storedSet.has(id))).toEqual([]);
  }, 90_000);
});
