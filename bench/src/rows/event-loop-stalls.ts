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
    return {
      id: this.id,
      title: this.title,
      chaukas: `worst run: p99 ${show(worstP99, formatMs)}, max ${show(worstMax, formatMs)}`,
      baselines: "—",
      checks: [atMost("max stall ≤ 10 ms (worst run)", worstMax, 10, formatMs)],
      notes: [
        ...errorNotes(runs),
        ...(medianMax === undefined ? [] : [`median of the runs' max: ${formatMs(medianMax)}`]),
      ],
      data: { worstMaxMs: worstMax, worstP99Ms: worstP99, medianMaxMs: medianMax },
    };
  },
};
