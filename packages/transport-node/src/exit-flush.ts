import { constants } from "node:os";
import type { FlushResult, ShutdownOptions } from "@chaukas/client";

/** What `registerExitFlush` needs of a client: `ChaukasClient` satisfies it. */
export interface ShutdownTarget {
  shutdown(options?: ShutdownOptions): Promise<FlushResult>;
}

/** Options of `registerExitFlush`. */
export interface ExitFlushOptions {
  /** Deadline given to `client.shutdown()` when the process is leaving. Default: 5000. */
  readonly timeoutMs?: number;
  /** Signals that trigger a flush before the process leaves. Default: `["SIGTERM", "SIGINT"]`. */
  readonly signals?: readonly NodeJS.Signals[];
}

/** The defaults of `ExitFlushOptions`. */
export const EXIT_FLUSH_DEFAULTS = {
  timeoutMs: 5000,
  signals: ["SIGTERM", "SIGINT"],
} as const satisfies Required<ExitFlushOptions>;

interface Registration {
  readonly client: ShutdownTarget;
  readonly timeoutMs: number;
  readonly signals: ReadonlySet<NodeJS.Signals>;
}

// One process listener per event for every registered client, so many clients neither stack
// listeners (MaxListenersExceededWarning) nor fight over who re-raises the signal.
const registrations = new Set<Registration>();
const signalListeners = new Map<NodeJS.Signals, () => void>();
let leaving = false;

/**
 * Flushes and shuts `client` down when the process is about to leave: on `beforeExit` (the
 * event loop ran dry) and on the given signals. After a signal the process then leaves as it
 * would have without us — the signal's default action, re-raised — unless the application has
 * its own listener for that signal, which then decides. A second signal during the flush
 * leaves at once. Registers no timers or handles that keep the process alive.
 *
 * @returns a function that removes this registration.
 */
export function registerExitFlush(
  client: ShutdownTarget,
  options: ExitFlushOptions = {},
): () => void {
  const registration: Registration = {
    client,
    timeoutMs: options.timeoutMs ?? EXIT_FLUSH_DEFAULTS.timeoutMs,
    signals: new Set(options.signals ?? EXIT_FLUSH_DEFAULTS.signals),
  };
  registrations.add(registration);
  syncProcessListeners();
  return () => {
    registrations.delete(registration);
    syncProcessListeners();
  };
}

function syncProcessListeners(): void {
  const wanted = new Set<NodeJS.Signals>();
  for (const registration of registrations) {
    for (const signal of registration.signals) {
      wanted.add(signal);
    }
  }
  for (const [signal, listener] of signalListeners) {
    if (!wanted.has(signal)) {
      process.off(signal, listener);
      signalListeners.delete(signal);
    }
  }
  for (const signal of wanted) {
    if (!signalListeners.has(signal)) {
      const listener = () => onSignal(signal);
      signalListeners.set(signal, listener);
      process.on(signal, listener);
    }
  }
  if (registrations.size > 0) {
    if (!process.listeners("beforeExit").includes(onBeforeExit)) {
      process.on("beforeExit", onBeforeExit);
    }
  } else {
    process.off("beforeExit", onBeforeExit);
  }
}

function onBeforeExit(): void {
  // Shutting down schedules work, after which `beforeExit` fires again: by then the set is
  // empty and the listener gone, so the process leaves.
  const leavingNow = [...registrations];
  registrations.clear();
  syncProcessListeners();
  void shutdownAll(leavingNow);
}

function onSignal(signal: NodeJS.Signals): void {
  if (leaving) {
    // A second signal while flushing: the user insists, leave now.
    if (!othersListen(signal)) {
      leaveWith(signal);
    }
    return;
  }
  leaving = true;
  const leavingNow = [...registrations].filter((r) => r.signals.has(signal));
  for (const registration of leavingNow) {
    registrations.delete(registration);
  }
  const deadlineMs = Math.max(0, ...leavingNow.map((r) => r.timeoutMs));
  // A backstop in case a shutdown overruns its own deadline; unref'd so it never holds the
  // process open by itself.
  const backstop = setTimeout(() => finish(), deadlineMs + 1000);
  backstop.unref();
  let finished = false;
  const finish = () => {
    if (finished) {
      return;
    }
    finished = true;
    clearTimeout(backstop);
    leaving = false;
    const leave = !othersListen(signal);
    syncProcessListeners();
    if (leave) {
      leaveWith(signal);
    }
  };
  void shutdownAll(leavingNow).then(finish);
}

async function shutdownAll(leavingNow: readonly Registration[]): Promise<void> {
  await Promise.all(
    leavingNow.map((r) =>
      r.client.shutdown({ timeoutMs: r.timeoutMs }).catch(() => {
        // shutdown() never rejects by contract; a broken client must still not block the exit.
      }),
    ),
  );
}

function othersListen(signal: NodeJS.Signals): boolean {
  const ours = signalListeners.get(signal);
  return process.listeners(signal).some((listener) => listener !== ours);
}

/** Leaves the way the signal's default action would: killed by it, or exit code 128 + n. */
function leaveWith(signal: NodeJS.Signals): void {
  const listener = signalListeners.get(signal);
  if (listener !== undefined) {
    process.off(signal, listener);
    signalListeners.delete(signal);
  }
  // With no listener left the signal's default action is back in place: re-raising it ends the
  // process the way it would have ended without us (the parent sees "killed by SIGTERM").
  process.kill(process.pid, signal);
  // Reached only where re-raising does not terminate at once (Windows).
  process.exit(128 + (constants.signals[signal] ?? 0));
}
