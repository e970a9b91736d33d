// The CLI runs the built package, as a user would: this file builds it first.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { chaukasClient } from "./clients.js";
import { oneOfEachType } from "./fixtures.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const packageDir = fileURLToPath(new URL("../", import.meta.url));
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(
    process.execPath,
    [`${repoRoot}node_modules/typescript/bin/tsc`, "-b", `${packageDir}tsconfig.json`],
    { stdio: "pipe" },
  );
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  }
});

interface RunningCli {
  child: ChildProcess;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Everything printed to stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line that matches. */
  waitForLine(pattern: RegExp): Promise<string>;
}

function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const line = out.split("\n").find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    check();
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
        check();
      }),
  };
}

async function runToExit(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("chaukas-devserver", () => {
  it("prints where it listens, serves every protocol there, logs each ingest call", async () => {
    const apiKey = "sk-cli-secret-41";
    const running = startCli(["--port", "0", "--api-key", apiKey]);
    const banner = await running.waitForLine(/listening on/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain("gRPC");
    expect(banner).toContain("Connect");
    expect(banner).toContain("API key required");
    expect(await running.waitForLine(/trace viewer on/)).toBe(`trace viewer on ${url}/`);

    const events = oneOfEachType({ sessionId: "cli" });
    await chaukasClient("grpc (HTTP/2)", url!, { apiKey }).ingestEventBatch({
      eventBatch: { events: events.slice(0, 12) },
    });
    await chaukasClient("connect (HTTP/1.1, JSON)", url!, { apiKey }).ingestEvent({
      event: events[12]!,
    });
    const batchLine = await running.waitForLine(/ingest batch 12 events/);
    expect(batchLine).toMatch(/ingest batch 12 events \(.+\) → ok/);
    await running.waitForLine(/ingest event \w+ → ok/);
    expect(running.stdout()).not.toContain(apiKey);

    running.child.kill("SIGTERM");
    const [code] = (await once(running.child, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("says clearly when the port is taken", async () => {
    const first = startCli(["--port", "0"]);
    const banner = await first.waitForLine(/listening on/);
    const port = /:(\d+) /.exec(banner)?.[1];
    const second = await runToExit(["--port", port!]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it("refuses to listen beyond loopback without --api-key, and says what to pass", async () => {
    const refused = await runToExit(["--port", "0", "--host", "0.0.0.0"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "chaukas-devserver: refusing to listen on 0.0.0.0 without an API key",
    );
    expect(refused.stderr).toContain("--api-key KEY");
    expect(refused.stderr).toContain("--insecure");
    expect(refused.stdout).not.toContain("listening on");

    const insecure = startCli(["--port", "0", "--host", "0.0.0.0", "--insecure"]);
    await insecure.waitForLine(/listening on/);
    // stderr is another pipe: what was written to it first may be read second.
    await expect
      .poll(() => insecure.stderr())
      .toContain("warning: listening on 0.0.0.0 without an API key (--insecure)");
  });

  it("widens access with repeated --cors-origin and --allowed-host, warning about *", async () => {
    const running = startCli([
      "--port",
      "0",
      "--allowed-host",
      "rebind.example",
      "--cors-origin",
      "https://a.example.test",
      "--cors-origin",
      "https://b.example.test",
    ]);
    const banner = await running.waitForLine(/listening on/);
    const port = /:(\d+) /.exec(banner)?.[1];
    const url = `http://rebind.example:${port}`;
    const from = (origin: string) =>
      chaukasClient("connect (HTTP/1.1, JSON)", url, { origin, dialAddress: "127.0.0.1" });
    expect(await from("https://b.example.test").healthz({})).toBeDefined();
    const refused = await from("https://c.example.test")
      .healthz({})
      .catch((error: unknown) => ConnectError.from(error));
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.PermissionDenied);

    const open = startCli(["--port", "0", "--cors-origin", "*"]);
    await open.waitForLine(/listening on/);
    await expect
      .poll(() => open.stderr())
      .toContain('warning: CORS is open to every origin (--cors-origin "*")');
  });

  it("prints usage on --help and refuses unknown options", async () => {
    const help = await runToExit(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: chaukas-devserver");
    expect(help.stdout).toContain("--data FILE");
    expect(help.stdout).toContain("--cors-origin ORIGIN");
    expect(help.stdout).toContain("--allowed-host HOST");
    expect(help.stdout).toContain("--insecure");
    const bad = await runToExit(["--no-such-option"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("no-such-option");
  });
});
