import { formatMb } from "../format.js";
import { atMost, holds } from "../targets.js";
import { errorNotes, maxOf, type RowDefinition, show } from "./row-definition.js";

/** What the process may grow beyond the measured bytes of a full queue. */
const ALLOWANCE_BYTES = 5e6;

export const outageRow: RowDefinition = {
  id: "outage-memory",
  title: "4. Outage memory (backend down, 1M events)",
  contenders: [
    {
      key: "chaukas",
      label: "Chaukas client",
      script: "outage-memory",
      nodeFlags: ["--expose-gc"],
      maxRuns: 1,
      timeoutMs: 180_000,
    },
  ],
  evaluate(runs) {
    // Judged on the worst run against the smallest measured bound.
    const growth = maxOf(runs, "chaukas", "peakRssGrowthBytes");
    const bounds = (runs.chaukas?.results ?? []).map((r) => r.queueBoundBytes as number);
    const bound = bounds.length === 0 ? undefined : Math.min(...bounds);
    const all = runs.chaukas?.results ?? [];
    const exact = all.length === 0 ? undefined : all.every((r) => r.accountingExact === true);
    const r = all[0];
    return {
      id: this.id,
      title: this.title,
      chaukas: `peak RSS +${show(growth, formatMb)}`,
      baselines: `full queue (${r?.maxQueueSize ?? "?"} events) held ${show(bound, formatMb)} of heap (measured)`,
      checks: [
        atMost("≤ queue bound + 5 MB", growth, (bound ?? Number.NaN) + ALLOWANCE_BYTES, formatMb),
        holds(
          "emitted + loss reports = sent + dropped + failed",
          exact,
          r === undefined
            ? ""
            : `${r.emitted} + ${r.lossReports ?? 0} = ${r.sent} sent + ${r.dropped} dropped + ${r.failed} failed; backend stored ${r.storedEvents}`,
        ),
      ],
      notes: errorNotes(runs),
      data: { worstPeakRssGrowthBytes: growth, queueBoundBytes: bound },
    };
  },
};
