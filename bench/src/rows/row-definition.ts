import type { ChildOptions } from "../child-job.js";
import { median } from "../stats.js";
import type { TargetCheck } from "../targets.js";

/** One program measured for a row: the SDK or a baseline. */
export interface Contender extends Omit<ChildOptions, "timeoutMs"> {
  readonly key: string;
  readonly label: string;
  /** `bench/src/benchmarks/<script>.ts`. */
  readonly script: string;
  /** Runs at most this many times (default: `--runs`). Bundle sizes are deterministic. */
  readonly maxRuns?: number;
  readonly timeoutMs?: number;
}

/** Every run's result per contender (failed runs are listed in `errors`). */
export type RowRuns = Record<string, { results: Record<string, unknown>[]; errors: string[] }>;

/** What a row reports: printed as table lines, written whole to results.json. */
export interface RowReport {
  readonly id: string;
  readonly title: string;
  readonly chaukas: string;
  readonly baselines: string;
  readonly checks: readonly TargetCheck[];
  readonly notes: readonly string[];
  /** The figures the verdicts were taken from (medians, worst runs). */
  readonly data: Record<string, unknown>;
}

/**
 * A row of the table: its contenders, and how their runs become a report. Rows live one per
 * file in `bench/src/rows/` and are listed in `rows/index.ts`.
 */
export interface RowDefinition {
  readonly id: string;
  readonly title: string;
  readonly contenders: readonly Contender[];
  evaluate(runs: RowRuns): RowReport;
}

/** One numeric field over a contender's successful runs. */
export function valuesOf(runs: RowRuns, key: string, field: string): number[] {
  return (runs[key]?.results ?? [])
    .map((r) => r[field])
    .filter((v): v is number => typeof v === "number");
}

/** The median of one numeric field over a contender's successful runs. */
export function medianOf(runs: RowRuns, key: string, field: string): number | undefined {
  const values = valuesOf(runs, key, field);
  return values.length === 0 ? undefined : median(values);
}

/** The largest value of one numeric field over a contender's runs: the worst run. */
export function maxOf(runs: RowRuns, key: string, field: string): number | undefined {
  const values = valuesOf(runs, key, field);
  return values.length === 0 ? undefined : Math.max(...values);
}

export const show = (value: number | undefined, format: (n: number) => string) =>
  value === undefined ? "missing" : format(value);

export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a / b;

/** Every failed run, named, so a missing figure always comes with its reason. */
export function errorNotes(runs: RowRuns): string[] {
  return Object.values(runs).flatMap((r) => [...new Set(r.errors)]);
}
