// Process shutdown: SIGTERM arrives while a real Node agent is streaming events and batches
// are in flight to a slowish backend. The exit flush must deliver everything emitted before
// the signal within its deadline (an event still pending at the deadline would be abandoned
// and missing at the server), then let the process die of the signal. And `shutdown()`
// called twice, or concurrently, must be harmless.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { afterEach, describe, expect, it } from "vitest";
import { allBatchCalls, clientFor, expectBalanced, storedIds } from "./support.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// One plain Node process with tsx's loader in it, not the tsx CLI: the CLI is a parent
// process that relays signals and SIGKILLs a child that does not acknowledge one within
// 30 ms, which a busy agent may not, so it would test tsx instead of the exit flush.
const TSX_LOADER = here("../../node_modules/tsx/dist/esm/index.mjs");

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface AgentRun {
  readonly sessionId: string;
  readonly emitted: string[];
  readonly dropped: string[];
  readonly storedAtSignal: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs fixtures/streaming-agent.ts and sends it SIGTERM once `after` events were emitted. */
function runAgentUntilSigterm(backend: DevServer, after: number): Promise<AgentRun> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", TSX_LOADER, here("./fixtures/streaming-agent.ts")],
    {
      env: {
        ...process.env,
        CHAUKAS_ENDPOINT: backend.url,
        TSX_TSCONFIG_PATH: here("./fixtures/tsconfig.json"),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let sessionId = "";
  const emitted: string[] = [];
  const dropped: string[] = [];
  let storedAtSignal = -1;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [kind, id = ""] = line.split(" ");
    if (kind === "session") sessionId = id;
    else (kind === "emitted" ? emitted : dropped).push(id);
    if (storedAtSignal < 0 && emitted.length >= after) {
      storedAtSignal = backend.store.size;
      child.kill("SIGTERM");
    }
  });
  return new Promise((resolve) =>
    child.on("close", (code, signal) =>
      resolve({ sessionId, emitted, dropped, storedAtSignal, code, signal }),
    ),
  );
}

describe("process shutdown", () => {
  it("SIGTERM mid-stream: everything emitted before it is delivered, once, then the process dies of the signal", async () => {
    // 100 ms per call: with one export at a time, batches are queued and in flight at the signal.
    server = await startDevServer({ faults: { latencyMs: 100 } });
    const run = await runAgentUntilSigterm(server, 3000);

    expect(run.signal).toBe("SIGTERM");
    // Mid-stream: some events had arrived before the signal, most had not.
    expect(run.storedAtSignal).toBeGreaterThan(0);
    expect(run.storedAtSignal).toBeLessThan(run.emitted.length);
    const stored = new Set(storedIds(server, run.sessionId));
    expect(run.emitted.filter((id) => !stored.has(id))).toEqual([]);
    expect(run.dropped.filter((id) => stored.has(id))).toEqual([]);
    // SESSION_START plus every emitted event; nothing else, nothing twice.
    expect(stored.size).toBe(run.emitted.length + 1);
    expect(server.store.duplicates).toBe(0);
  }, 60_000);

  it("shutdown() twice, concurrently and again later, is harmless: one flush, later events counted not thrown", async () => {
    server = await startDevServer();
    const chaukas = clientFor(server, { maxBatchSize: 100 });
    const session = chaukas.startSession({ agentId: "planner" });
    for (let i = 1; i < 250; i++) session.stateUpdate({ step: i });

    const [first, second] = await Promise.all([chaukas.shutdown(), chaukas.shutdown()]);
    expect(first).toEqual({ completed: true, pending: 0 });
    expect(second).toEqual(first);
    expect(await chaukas.shutdown({ timeoutMs: 1 })).toEqual(first);
    expect(storedIds(server, session.id)).toHaveLength(250);
    expect(allBatchCalls(server)).toBe(3);

    // After shutdown: builders and flush neither throw nor send; the refusals are counted.
    expect(() => session.stateUpdate({ late: true })).not.toThrow();
    expect(() => session.end()).not.toThrow();
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
    expect(allBatchCalls(server)).toBe(3);
    const stats = chaukas.stats();
    expect(stats).toMatchObject({ emitted: 252, sent: 250, dropped: { shutdown: 2 } });
    expectBalanced(stats);
  });
});
