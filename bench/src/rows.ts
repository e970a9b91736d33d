import type { ChildOptions } from "./child-job.js";
import { formatKb, formatMb, formatMs, formatNs, formatRate, formatRatio } from "./format.js";
import { median } from "./stats.js";
import { atLeast, atMost, holds, type TargetCheck } from "./targets.js";

/** One program measured for a row: the SDK or a baseline. */
export interface Contender extends Omit<ChildOptions, "timeoutMs"> {
  readonly key: string;
  readonly label: string;
  /** `bench/src/benchmarks/<script>.ts`. */
  readonly script: string;
  /**
   * Runs at most this many times (default: `--runs`). Bundle sizes are deterministic; the
   * 1M-event rows are long enough that their own chunk medians carry the statistics.
   */
  readonly maxRuns?: number;
  readonly timeoutMs?: number;
}

/** Every run's result per contender (failed runs are listed in `errors`). */
export type RowRuns = Record<string, { results: Record<string, unknown>[]; errors: string[] }>;

/** What a row reports: printed as one table line, written whole to results.json. */
export interface RowReport {
  readonly id: string;
  readonly title: string;
  readonly chaukas: string;
  readonly baselines: string;
  readonly checks: readonly TargetCheck[];
  readonly notes: readonly string[];
  /** Medians and raw figures, for results.json. */
  readonly data: Record<string, unknown>;
}

export interface RowDefinition {
  readonly id: string;
  readonly title: string;
  readonly contenders: readonly Contender[];
  evaluate(runs: RowRuns): RowReport;
}

/** The median of one numeric field over a contender's successful runs. */
function medianOf(runs: RowRuns, key: string, field: string): number | undefined {
  const values = (runs[key]?.results ?? [])
    .map((r) => r[field])
    .filter((v): v is number => typeof v === "number");
  return values.length === 0 ? undefined : median(values);
}

function first(runs: RowRuns, key: string): Record<string, unknown> | undefined {
  return runs[key]?.results[0];
}

const show = (value: number | undefined, format: (n: number) => string) =>
  value === undefined ? "missing" : format(value);

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a / b;

/** Every failed run, named, so a missing figure always comes with its reason. */
function errorNotes(runs: RowRuns): string[] {
  return Object.values(runs).flatMap((r) => [...new Set(r.errors)]);
}

export const hotPathRow: RowDefinition = {
  id: "hot-path",
  title: "1. Hot path (ns/event on the caller's stack)",
  contenders: [
    {
      key: "chaukas",
      label: "Chaukas builders",
      script: "hot-path-chaukas",
      maxRuns: 2,
      timeoutMs: 150_000,
    },
    { key: "otel", label: "OTel span start+end", script: "hot-path-otel", maxRuns: 2 },
  ],
  evaluate(runs) {
    const chaukas = medianOf(runs, "chaukas", "nsPerEvent");
    const otel = medianOf(runs, "otel", "nsPerEvent");
    const vsOtel = ratio(chaukas, otel);
    return {
      id: this.id,
      title: this.title,
      chaukas: show(chaukas, formatNs),
      baselines: `OTel BatchSpanProcessor ${show(otel, formatNs)}/span`,
      checks: [
        atMost("≤ 1 µs/event", chaukas, 1000, formatNs),
        atMost("≤ 1.0× OTel", vsOtel, 1.0, formatRatio),
      ],
      notes: errorNotes(runs),
      data: { chaukasNsPerEvent: chaukas, otelNsPerSpan: otel, ratioVsOtel: vsOtel },
    };
  },
};

export const throughputRow: RowDefinition = {
  id: "throughput",
  title: "2. Throughput, gRPC/HTTP2 loopback into the local backend",
  contenders: [
    { key: "chaukas", label: "Chaukas client", script: "throughput-chaukas" },
    { key: "grpcJs", label: "hand-written grpc-js", script: "throughput-grpc-js" },
    { key: "encodeOnly", label: "toBinary only", script: "throughput-encode-only" },
  ],
  evaluate(runs) {
    const chaukas = medianOf(runs, "chaukas", "eventsPerSecond");
    const grpcJs = medianOf(runs, "grpcJs", "eventsPerSecond");
    const encodeOnly = medianOf(runs, "encodeOnly", "eventsPerSecond");
    const notes = errorNotes(runs);
    for (const key of ["chaukas", "grpcJs"]) {
      for (const r of runs[key]?.results ?? []) {
        if (r.storedEvents !== r.expectedStored) {
          notes.push(`${key}: backend stored ${r.storedEvents} of ${r.expectedStored} events`);
        }
      }
    }
    return {
      id: this.id,
      title: this.title,
      chaukas: show(chaukas, formatRate),
      baselines: `grpc-js ${show(grpcJs, formatRate)}; encode-only ${show(encodeOnly, formatRate)}`,
      checks: [
        atLeast("≥ 1.2× grpc-js", ratio(chaukas, grpcJs), 1.2, formatRatio),
        atLeast("≥ 0.7× encode-only", ratio(chaukas, encodeOnly), 0.7, formatRatio),
      ],
      notes,
      data: {
        chaukasEventsPerSecond: chaukas,
        grpcJsEventsPerSecond: grpcJs,
        encodeOnlyEventsPerSecond: encodeOnly,
        bytesPerEvent: medianOf(runs, "encodeOnly", "bytesPerEvent"),
      },
    };
  },
};

export const bundleRow: RowDefinition = {
  id: "bundle",
  title: "3. Browser bundle (esbuild, minified, ESM, gzip -9)",
  contenders: [{ key: "bundles", label: "esbuild", script: "bundle-size", maxRuns: 1 }],
  evaluate(runs) {
    const r = first(runs, "bundles") as
      | { gzipBytes: Record<string, number | null>; notes: string[]; [k: string]: unknown }
      | undefined;
    const gz = (name: string) => r?.gzipBytes[name] ?? undefined;
    return {
      id: this.id,
      title: this.title,
      chaukas: show(gz("chaukas"), formatKb),
      baselines: `bare connect-web ${show(gz("bare"), formatKb)}; OTel web ${show(gz("otel"), formatKb)}; Sentry ${show(gz("sentry"), formatKb)}`,
      checks: [atMost("≤ 1.15× bare", ratio(gz("chaukas"), gz("bare")), 1.15, formatRatio)],
      notes: [...errorNotes(runs), ...(r?.notes ?? [])],
      data: r ?? {},
    };
  },
};

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
    const growth = medianOf(runs, "chaukas", "peakRssGrowthBytes");
    const bound = medianOf(runs, "chaukas", "queueBoundBytes");
    const all = runs.chaukas?.results ?? [];
    const exact = all.length === 0 ? undefined : all.every((r) => r.accountingExact === true);
    const r = all[0];
    return {
      id: this.id,
      title: this.title,
      chaukas: `peak RSS +${show(growth, formatMb)}`,
      baselines: `queue bound ${r?.maxQueueSize ?? "?"} events ≈ ${show(bound, formatMb)}`,
      checks: [
        atMost("≤ queue bound + 20 MB", growth, (bound ?? Number.NaN) + 20e6, formatMb),
        holds(
          "emitted = sent + dropped",
          exact,
          r === undefined
            ? ""
            : `${r.emitted} = ${r.sent} sent + ${r.dropped} dropped + ${r.failed} failed; backend stored ${r.storedEvents}`,
        ),
      ],
      notes: errorNotes(runs),
      data: { peakRssGrowthBytes: growth, queueBoundBytes: bound, runs: all },
    };
  },
};

export const stallsRow: RowDefinition = {
  id: "event-loop-stalls",
  title: "5. Event-loop stalls while 10k queued events flush",
  contenders: [{ key: "chaukas", label: "Chaukas client", script: "event-loop-stalls" }],
  evaluate(runs) {
    const p99 = medianOf(runs, "chaukas", "p99Ms");
    const max = medianOf(runs, "chaukas", "maxMs");
    const worst = Math.max(...(runs.chaukas?.results ?? []).map((r) => r.maxMs as number));
    return {
      id: this.id,
      title: this.title,
      chaukas: `p99 ${show(p99, formatMs)}, max ${show(max, formatMs)}`,
      baselines: "—",
      checks: [atMost("max stall ≤ 10 ms", max, 10, formatMs)],
      notes: [
        ...errorNotes(runs),
        ...(Number.isFinite(worst) ? [`worst max over runs: ${formatMs(worst)}`] : []),
      ],
      data: { p99Ms: p99, maxMs: max, worstMaxMs: worst, runs: runs.chaukas?.results ?? [] },
    };
  },
};

/** The five rows of issue 6, in the order `pnpm bench` runs and prints them. */
export const ROWS: readonly RowDefinition[] = [
  hotPathRow,
  throughputRow,
  bundleRow,
  outageRow,
  stallsRow,
];
