import { formatMb, formatMs, formatNs, formatRatio } from "../format.js";
import { atMost, holds, shown } from "../targets.js";
import { errorNotes, maxOf, medianOf, type RowDefinition, ratio, show } from "./row-definition.js";

/** Row 1 with the file outbox (issue 15): what it costs on the caller's stack and off it. */
export const hotPathOutboxRow: RowDefinition = {
  id: "hot-path-outbox",
  title: "1o. Hot path with the file outbox",
  contenders: [
    {
      key: "memory",
      label: "no outbox",
      script: "hot-path-outbox",
      env: { OUTBOX: "0" },
      timeoutMs: 300_000,
    },
    {
      key: "outbox",
      label: "file outbox",
      script: "hot-path-outbox",
      env: { OUTBOX: "1" },
      timeoutMs: 300_000,
    },
  ],
  evaluate(runs) {
    const stack = medianOf(runs, "outbox", "nsPerEvent");
    const stackBase = medianOf(runs, "memory", "nsPerEvent");
    const drain = medianOf(runs, "outbox", "drainNsPerEvent");
    const drainBase = medianOf(runs, "memory", "drainNsPerEvent");
    return {
      id: this.id,
      title: this.title,
      chaukas: `${show(stack, formatNs)}/event on the caller's stack; ${show(drain, formatNs)}/event to deliver`,
      baselines: `no outbox: ${show(stackBase, formatNs)}/event; ${show(drainBase, formatNs)}/event to deliver`,
      checks: [
        shown("caller's stack vs no outbox", show(ratio(stack, stackBase), formatRatio)),
        shown("delivery (off the stack) vs no outbox", show(ratio(drain, drainBase), formatRatio)),
      ],
      notes: errorNotes(runs),
      data: {
        outboxNsPerEvent: stack,
        memoryNsPerEvent: stackBase,
        outboxDrainNsPerEvent: drain,
        memoryDrainNsPerEvent: drainBase,
      },
    };
  },
};

/**
 * What writing to disk may cost beyond holding the queue in memory (issue 28: "writing to disk
 * should not need more memory than holding in memory", with room for what the writes hold).
 */
const OUTBOX_ALLOWANCE_BYTES = 20e6;

/** Row 4 with the file outbox: memory and disk during a 1M-event outage, and the accounting. */
export const outageOutboxRow: RowDefinition = {
  id: "outage-memory-outbox",
  title: "4o. Outage with the file outbox (backend down, 1M events)",
  contenders: [
    // Row 4's program, for the in-memory queue's bound measured in the same run.
    {
      key: "memory",
      label: "Chaukas client without an outbox",
      script: "outage-memory",
      nodeFlags: ["--expose-gc"],
      maxRuns: 1,
      timeoutMs: 180_000,
    },
    {
      key: "chaukas",
      label: "Chaukas client + createFileOutbox",
      script: "outage-memory-outbox",
      nodeFlags: ["--expose-gc"],
      maxRuns: 1,
      timeoutMs: 400_000,
    },
  ],
  evaluate(runs) {
    const growth = maxOf(runs, "chaukas", "peakRssGrowthBytes");
    const bounds = (runs.memory?.results ?? []).map((x) => x.queueBoundBytes as number);
    const bound = bounds.length === 0 ? undefined : Math.min(...bounds);
    const all = runs.chaukas?.results ?? [];
    const r = all[0];
    const exact = all.length === 0 ? undefined : all.every((x) => x.accountingExact === true);
    const byReason = (r?.droppedByReason ?? {}) as Record<string, number>;
    return {
      id: this.id,
      title: this.title,
      chaukas: `peak RSS +${show(growth, formatMb)}; ${show(r?.diskBytesAtEnd as number | undefined, formatMb)} on disk at the end of the outage`,
      baselines: `without an outbox the full queue held ${show(bound, formatMb)} of heap (measured); outbox maxBytes ${show(r?.outboxMaxBytes as number | undefined, formatMb)}; emitting took ${show(r?.outageMs as number | undefined, formatMs)}`,
      checks: [
        atMost(
          "≤ in-memory queue bound + 20 MB",
          growth,
          (bound ?? Number.NaN) + OUTBOX_ALLOWANCE_BYTES,
          formatMb,
        ),
        holds(
          "emitted + loss reports = sent + dropped + failed",
          exact,
          r === undefined
            ? ""
            : `${r.emitted} + ${r.lossReports} = ${r.sent} sent + ${r.dropped} dropped (queueFull ${byReason.queueFull ?? 0}, outboxFull ${byReason.outboxFull ?? 0}) + ${r.failed} failed; backend stored ${r.storedEvents}`,
        ),
      ],
      notes: errorNotes(runs),
      data: { worstPeakRssGrowthBytes: growth, queueBoundBytes: bound, result: r },
    };
  },
};
