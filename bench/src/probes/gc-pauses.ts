import { constants, PerformanceObserver } from "node:perf_hooks";

/** Garbage-collection pauses over a window, in milliseconds. */
export interface GcPauses {
  /** The longest pause, and whether it was a young-generation scavenge or a major GC. */
  readonly longestMs: number;
  readonly longestKind: "minor" | "major" | "incremental" | "other" | "none";
  readonly totalMs: number;
  readonly count: number;
}

const KINDS: Record<number, GcPauses["longestKind"]> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
};

/**
 * Records V8's GC pauses (Node's `gc` performance entries): a stall can then be told apart
 * from the collector's own pause inside it.
 */
export function startGcPauseRecorder(): { stop(): Promise<GcPauses> } {
  const pauses: Array<{ kind: GcPauses["longestKind"]; ms: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      pauses.push({ kind: (kind !== undefined && KINDS[kind]) || "other", ms: entry.duration });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    async stop() {
      // Entries arrive after the pause they describe: let the last ones in.
      await new Promise((resolve) => setTimeout(resolve, 20));
      observer.disconnect();
      const longest = pauses.reduce((a, b) => (b.ms > a.ms ? b : a), { kind: "none", ms: 0 });
      return {
        longestMs: longest.ms,
        longestKind: longest.kind as GcPauses["longestKind"],
        totalMs: pauses.reduce((sum, pause) => sum + pause.ms, 0),
        count: pauses.length,
      };
    },
  };
}
