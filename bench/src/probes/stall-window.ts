import { startEventLoopMonitor } from "./event-loop-monitor.js";
import { startGcPauseRecorder } from "./gc-pauses.js";

/**
 * Row 5's measurement around `operation`: the event loop's delay while it runs and, to tell what
 * held the loop, V8's GC pauses in the same window. Returns the operation's result beside the
 * figures each row-5 program reports.
 */
export async function measureStalls<T>(operation: () => Promise<T>) {
  const gcPauses = startGcPauseRecorder();
  const monitor = startEventLoopMonitor();
  const result = await operation();
  const delay = monitor.stop();
  const gc = await gcPauses.stop();
  return {
    result,
    stalls: {
      ...delay,
      longestGcPauseMs: gc.longestMs,
      longestGcPauseKind: gc.longestKind,
      gcPauseTotalMs: gc.totalMs,
    },
  };
}
