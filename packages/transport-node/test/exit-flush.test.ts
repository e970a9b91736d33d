import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startDevServer } from "@chaukas/devserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type DevServer = Awaited<ReturnType<typeof startDevServer>>;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// tsx as a loader inside one node process (its CLI would sit in between and relay signals),
// resolving @chaukas/* to the workspace sources through the fixtures' tsconfig paths.
const TSX_LOADER = pathToFileURL(here("../../../node_modules/tsx/dist/loader.mjs")).href;

interface AgentRun {
  readonly emitted: string[];
  readonly dropped: string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Emitted events the backend held when the signal was sent (undefined: no signal sent). */
  readonly storedAtSignal?: number;
}

/** Runs the fixture agent; with `signal`, sends it once `after` events were emitted. */
function runAgent(
  server: DevServer,
  env: Record<string, string>,
  stop?: { signal: NodeJS.Signals; after: number },
): Promise<AgentRun> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", TSX_LOADER, here("./fixtures/exit-flush-agent.ts")],
    {
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: here("./fixtures/tsconfig.json"),
        CHAUKAS_ENDPOINT: server.url,
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const emitted: string[] = [];
  const dropped: string[] = [];
  let storedAtSignal: number | undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const [kind, id] = line.split(" ");
    if (kind === "emitted" || kind === "dropped") {
      (kind === "emitted" ? emitted : dropped).push(id!);
    }
    if (stop !== undefined && storedAtSignal === undefined && emitted.length >= stop.after) {
      const stored = storedIds(server);
      storedAtSignal = emitted.filter((id) => stored.has(id)).length;
      child.kill(stop.signal);
    }
  });
  return new Promise((resolve) =>
    child.on("close", (code, signal) =>
      resolve({
        emitted,
        dropped,
        code,
        signal,
        ...(storedAtSignal !== undefined ? { storedAtSignal } : {}),
      }),
    ),
  );
}

const storedIds = (server: DevServer) => new Set(server.store.events().map((e) => e.eventId));

describe("exit flush in a real Node process", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0 });
  });
  afterAll(() => server.close());

  it.each(["SIGTERM", "SIGINT"] as const)(
    "delivers every event emitted before %s, then dies of the signal",
    async (signal) => {
      const run = await runAgent(server, {}, { signal, after: 200 });

      expect(run.storedAtSignal).toBe(0);
      expect(run.emitted.length).toBeGreaterThanOrEqual(200);
      const stored = storedIds(server);
      expect(run.emitted.filter((id) => !stored.has(id))).toEqual([]);
      expect(run.dropped.filter((id) => stored.has(id))).toEqual([]);
      // Re-raised with its default action, as if the SDK were not there.
      expect(run.signal).toBe(signal);
    },
  );

  it("flushes on SIGTERM but leaves the exit to an application with its own listener", async () => {
    const run = await runAgent(
      server,
      { APP_HANDLES_SIGTERM: "1" },
      { signal: "SIGTERM", after: 100 },
    );
    expect(run.storedAtSignal).toBe(0);
    const stored = storedIds(server);
    expect(run.emitted.filter((id) => !stored.has(id))).toEqual([]);
    // Not killed: the app stopped its work and the process ended normally.
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
  });

  it("delivers on beforeExit when the program just ends, and exits 0", async () => {
    const run = await runAgent(server, { AGENT_MODE: "finish" });
    expect(run.code).toBe(0);
    expect(run.emitted).toHaveLength(50);
    const stored = storedIds(server);
    expect(run.emitted.filter((id) => !stored.has(id))).toEqual([]);
  });

  it("loses the queued events with exitFlush: false (the flush is what delivers them)", async () => {
    const run = await runAgent(server, { EXIT_FLUSH: "off" }, { signal: "SIGTERM", after: 50 });
    expect(run.signal).toBe("SIGTERM");
    const stored = storedIds(server);
    expect(run.emitted.filter((id) => stored.has(id))).toEqual([]);
  });
});
