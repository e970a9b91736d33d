import { bundleRow } from "./bundle.js";
import { stallsRow } from "./event-loop-stalls.js";
import { hotPathRow } from "./hot-path.js";
import { anthropicRow, openaiRow } from "./model-sdk.js";
import { outageRow } from "./outage-memory.js";
import { hotPathOutboxRow, outageOutboxRow } from "./outbox.js";
import type { RowDefinition } from "./row-definition.js";
import { throughputDevserverRow, throughputSinkRow } from "./throughput.js";

export type { RowDefinition, RowReport, RowRuns } from "./row-definition.js";

/**
 * The rows `pnpm bench` runs and prints, in this order. A new row is a file in this folder
 * (its contenders in `bench/src/benchmarks/`) and one line here.
 */
export const ROWS: readonly RowDefinition[] = [
  hotPathRow,
  throughputSinkRow,
  throughputDevserverRow,
  bundleRow,
  outageRow,
  stallsRow,
  hotPathOutboxRow,
  outageOutboxRow,
  openaiRow,
  anthropicRow,
];
