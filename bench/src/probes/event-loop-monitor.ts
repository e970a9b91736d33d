import { monitorEventLoopDelay } from "node:perf_hooks";

/** Event-loop delay over a window, in milliseconds. */
export interface EventLoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Samples event-loop delay with Node's histogram (1 ms resolution, the finest it offers): a
 * stall is the time a timer due now waited because something held the thread.
 */
export function startEventLoopMonitor(): { stop(): EventLoopDelay } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const toMs = (ns: number) => ns / 1e6;
      return {
        p50Ms: toMs(histogram.percentile(50)),
        p99Ms: toMs(histogram.percentile(99)),
        maxMs: toMs(histogram.max),
      };
    },
  };
}
