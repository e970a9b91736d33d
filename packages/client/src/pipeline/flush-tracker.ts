// The pending `flush()` calls: each resolves once every event emitted before it has settled and
// the losses among them are reported, or when its timeout passes.
import type { FlushResult } from "./event-processor.js";

/** What the flush tracker reads of its processor. */
export interface FlushProgress {
  /** The `seq` of the oldest event that has not settled (sent, failed or dropped). */
  oldestUnsettledSeq(): number;
  /** The loss ledger's counter (`LossReporter.recorded`). */
  lossesRecorded(): number;
  /** True when the losses noted before `lossTarget` are reported and their reports settled. */
  lossesReported(lossTarget: number): boolean;
  /** Events still queued or in flight: `FlushResult.pending`. */
  pending(): number;
}

/** One pending `flush()`. */
interface FlushWaiter {
  /** Every event with a `seq` below this was emitted before the flush. */
  readonly target: number;
  /**
   * The ledger's counter once every event before `target` has settled: by then every loss among
   * them is noted, and the flush also waits for the reports of those losses.
   */
  lossTarget: number | undefined;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly resolve: (result: FlushResult) => void;
}

/** Resolves `flush()` calls; `check()` runs after every step of the processor's pump. */
export class FlushTracker {
  readonly #waiters = new Set<FlushWaiter>();

  constructor(private readonly progress: FlushProgress) {}

  /** A flush of the events before `target`; never rejects. */
  wait(target: number, timeoutMs: number | undefined): Promise<FlushResult> {
    return new Promise((resolve) => {
      const waiter: FlushWaiter = {
        target,
        lossTarget: undefined,
        // Referenced even without a timeout: it keeps Node alive while someone awaits.
        timer: setTimeout(
          () => timeoutMs !== undefined && this.#resolve(waiter, false),
          timeoutMs ?? 2 ** 31 - 1,
        ),
        resolve,
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every flush whose events have settled and whose losses are reported. */
  check(): void {
    for (const waiter of this.#waiters) {
      if (this.progress.oldestUnsettledSeq() < waiter.target) continue;
      waiter.lossTarget ??= this.progress.lossesRecorded();
      if (this.progress.lossesReported(waiter.lossTarget)) this.#resolve(waiter, true);
    }
  }

  #resolve(waiter: FlushWaiter, completed: boolean): void {
    this.#waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.resolve({ completed, pending: this.progress.pending() });
  }
}
