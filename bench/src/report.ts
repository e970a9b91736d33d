import { cpus } from "node:os";
import type { RowReport } from "./rows/row-definition.js";
import type { TargetCheck } from "./targets.js";

const verdict = (check: TargetCheck) =>
  check.informational
    ? "shown"
    : check.met === undefined
      ? "NOT MEASURED"
      : check.met
        ? "met"
        : "MISSED";

/** The table `pnpm bench` prints, also pasted into bench/README.md. */
export function formatTable(rows: readonly RowReport[]): string {
  const lines = [
    "| Row | Chaukas | Baselines (same run) | Target | Result |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    row.checks.forEach((check, i) => {
      const head = i === 0 ? [row.title, row.chaukas, row.baselines] : ["", "", ""];
      lines.push(
        `| ${[...head, check.target, `${verdict(check)}: ${check.detail}`].join(" | ")} |`,
      );
    });
  }
  return lines.join("\n");
}

/** Notes under the table: why a figure is missing, what a row's details are. */
export function formatNotes(rows: readonly RowReport[]): string {
  return rows
    .filter((row) => row.notes.length > 0)
    .map((row) => `${row.title}\n${row.notes.map((n) => `  - ${n}`).join("\n")}`)
    .join("\n");
}

/** Where and how the figures were taken, so two results.json files can be compared. */
export function describeMachine(runs: number) {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? "unknown",
    runsPerTiming: runs,
  };
}
