import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseResult } from "./result-channel.js";

/** One benchmark script's outcome in one fresh process. */
export type ChildOutcome =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; error: string };

/** Extra `node` flags some benchmarks need (`--expose-gc` to measure retained bytes). */
export interface ChildOptions {
  readonly nodeFlags?: readonly string[];
  /** Extra environment variables, e.g. which backend a throughput run sends to. */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed after this long; a hung benchmark must not hang `pnpm bench`. */
  readonly timeoutMs: number;
}

/**
 * Runs `bench/src/benchmarks/<name>.ts` in a fresh Node process (same tsx loader as the
 * runner), so heaps and JIT state never carry from one benchmark into the next.
 */
export function runChild(name: string, options: ChildOptions): Promise<ChildOutcome> {
  const script = fileURLToPath(new URL(`./benchmarks/${name}.ts`, import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...(options.nodeFlags ?? []), script],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  return new Promise((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const result = parseResult(stdout);
      if (code === 0 && result !== undefined) {
        resolve({ ok: true, result });
        return;
      }
      const why = signal === "SIGKILL" ? `timed out after ${options.timeoutMs} ms` : `exit ${code}`;
      resolve({ ok: false, error: `${name}: ${why}: ${summarizeError(stderr || stdout)}` });
    });
  });
}

/** The line of a child's output that says what went wrong, not its whole stack. */
function summarizeError(output: string): string {
  const lines = output.split("\n").map((l) => l.trim());
  const found = lines.find((l) => /^(\w*Error|Error)\b|ERR_|Cannot find/.test(l));
  return (found ?? lines.filter((l) => l !== "").slice(-1)[0] ?? "no output").slice(0, 300);
}
