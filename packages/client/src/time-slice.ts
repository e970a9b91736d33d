import { monotonicMs } from "./clock.js";

/**
 * How long the processor's own work (running `prepare`'s output through the encoder, cutting
 * batches) may hold the event loop before it lets timers and I/O run: flushing a full queue of
 * 10 000 events is ~100 ms of encoding, which must not become one stall of the agent.
 */
export const TIME_SLICE_MS = 2;

/** Tells when the current slice of work is used up; `restart()` after each yield. */
export interface TimeSlice {
  expired(): boolean;
  restart(): void;
}

export function createTimeSlice(budgetMs: number = TIME_SLICE_MS): TimeSlice {
  let startedAt = monotonicMs();
  return {
    expired: () => monotonicMs() - startedAt >= budgetMs,
    restart() {
      startedAt = monotonicMs();
    },
  };
}

/** A pause of the processor's work until a later macrotask. */
export interface EventLoopYield {
  /** Resolves in a later macrotask, after pending timers and I/O callbacks ran, or on `wake`. */
  readonly done: Promise<void>;
  /** Resumes now, e.g. when a page is being hidden and its last batch must leave at once. */
  wake(): void;
}

/**
 * A timer is available in every runtime we support (a MessageChannel would need Node's
 * `unref` to let the process exit).
 */
export function yieldToEventLoop(): EventLoopYield {
  let wake = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 0);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}
