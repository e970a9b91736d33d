import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A server script started by {@link startScript}. */
export interface StartedScript {
  readonly url: string;
  readonly child: ChildProcess;
  /**
   * Ends the script and every process it started; rejects, naming them, if any is still alive
   * after SIGTERM and a grace period (they are then SIGKILLed, so nothing is left behind).
   */
  stop(): Promise<void>;
}

/** How long stop() waits after SIGTERM before a survivor counts as a leak. */
const STOP_GRACE_MS = 5_000;

/** Every script started and not yet stopped, so a test that failed early still cleans up. */
const running = new Set<() => Promise<void>>();

/**
 * Starts a server script (Deno, Bun) and resolves with its URL once it prints
 * `listening on <url>`; rejects with its output if it exits first.
 *
 * The npm `deno` and `bun` commands are wrappers that start the real binary as their child, so
 * the script runs in a process group of its own: stop() signals the whole group, and checks
 * that every descendant seen while it ran (even one that left the group) is gone.
 */
export function startScript(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd?: string,
): Promise<StartedScript> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    ...(cwd === undefined ? {} : { cwd }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const seen = new Set<number>();
  let output = "";
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= endProcessTree(command, child, seen).finally(() => running.delete(stop));
    return stopping;
  };
  running.add(stop);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        child.stdout?.off("data", onData);
        // The real binary is running by now: remember it even if it later leaves the group.
        for (const pid of descendantsOf(child.pid)) seen.add(pid);
        resolve({ url: match[1], child, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", (error) => {
      void stop();
      reject(error);
    });
    child.once("exit", (code) => {
      const exited = new Error(`${command} exited with ${code}:\n${output}`);
      void stop().then(
        () => reject(exited),
        (leak: Error) => reject(new AggregateError([exited, leak], exited.message)),
      );
    });
  });
}

/**
 * Stops every script still running (a test that failed before its own stop()); rejects if any
 * left a process behind. Call it from afterAll.
 */
export async function stopAllScripts(): Promise<void> {
  const results = await Promise.allSettled([...running].map((stop) => stop()));
  const leaks = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (leaks.length > 0) throw new AggregateError(leaks, leaks.map((e) => e.message).join("\n"));
}

async function endProcessTree(
  command: string,
  child: ChildProcess,
  seen: Set<number>,
): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  for (const p of descendantsOf(pid)) seen.add(p);
  signalGroup(pid, "SIGTERM");
  for (const p of seen) signal(p, "SIGTERM");
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && (groupAlive(pid) || [...seen].some(alive))) await sleep(50);
  const survivors = [...seen].filter(alive);
  const groupSurvived = groupAlive(pid);
  if (!groupSurvived && survivors.length === 0) return;
  signalGroup(pid, "SIGKILL");
  for (const p of survivors) signal(p, "SIGKILL");
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && (groupAlive(pid) || survivors.some(alive))) await sleep(20);
  throw new Error(
    `${command} left processes running ${STOP_GRACE_MS} ms after SIGTERM ` +
      `(process group ${pid}${groupSurvived ? " still alive" : ""}; ` +
      `pids ${survivors.join(", ") || "none outside it"}); they were SIGKILLed`,
  );
}

/** The pids below `root` in the process tree, from /proc (empty where there is no /proc). */
export function descendantsOf(root: number | undefined): number[] {
  if (root === undefined) return [];
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Field 4 is the parent pid; the command name before it may contain spaces, so skip past ")".
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const siblings = children.get(parent) ?? [];
    siblings.push(Number(entry));
    children.set(parent, siblings);
  }
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const kid of children.get(next) ?? []) {
      found.push(kid);
      queue.push(kid);
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function signalGroup(pgid: number, name: NodeJS.Signals): void {
  signal(-pgid, name);
}

/** Whether a process is alive; a zombie (exited, not yet reaped) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // A group whose only members are zombies is over; they are reaped by their parents.
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[2]) === pgid && fields[0] !== "Z";
    } catch {
      return false;
    }
  });
}
