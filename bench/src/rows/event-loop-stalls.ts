import { formatMs } from "../format.js";
import { atMost } from "../targets.js";
import { errorNotes, maxOf, medianOf, type RowDefinition, show } from "./row-definition.js";

export const stallsRow: RowDefinition = {
  id: "event-loop-stalls",
  title: "5. Event-loop stalls while 10k queued events flush",
  contenders: [{ key: "chaukas", label: "Chaukas client", script: "event-loop-stalls" }],
  evaluate(runs) {
    // The verdict is the worst run's max stall: one long stall is what a user would notice.
    const worstMax = maxOf(runs, "chaukas", "maxMs");
    const worstP99 = maxOf(runs, "chaukas", "p99Ms");
    const medianMax = medianOf(runs, "chaukas", "maxMs");
    // The run the verdict comes from, for its GC pauses.
    const worstRun = (runs.chaukas?.results ?? []).find((result) => result.maxMs === worstMax);
    return {
      id: this.id,
      title: this.title,
      chaukas: `worst run: p99 ${show(worstP99, formatMs)}, max ${show(worstMax, formatMs)}`,
      baselines: "—",
      checks: [atMost("max stall ≤ 10 ms (worst run)", worstMax, 10, formatMs)],
      notes: [
        ...errorNotes(runs),
        ...(medianMax === undefined ? [] : [`median of the runs' max: ${formatMs(medianMax)}`]),
        ...(typeof worstRun?.longestGcPauseMs === "number"
          ? [
              `worst run: its longest GC pause ${formatMs(worstRun.longestGcPauseMs)} (${String(worstRun.longestGcPauseKind)}), ${formatMs(worstRun.gcPauseTotalMs as number)} of GC during the flush`,
            ]
          : []),
      ],
      data: { worstMaxMs: worstMax, worstP99Ms: worstP99, medianMaxMs: medianMax },
    };
  },
};
