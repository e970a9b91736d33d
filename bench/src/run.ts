import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runChild } from "./child-job.js";
import { updateReadmes } from "./readme-results.js";
import { describeMachine, formatNotes, formatTable } from "./report.js";
import { ROWS, type RowReport, type RowRuns } from "./rows/index.js";

/** Timed benchmarks run this many times each (fresh process every time); see each row's verdict. */
const DEFAULT_RUNS = 3;
const DEFAULT_CHILD_TIMEOUT_MS = 60_000;

const { values } = parseArgs({
  // `pnpm bench -- --runs 5` passes the "--" through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    runs: { type: "string", default: String(DEFAULT_RUNS) },
    only: { type: "string" },
  },
});
const runs = Math.max(1, Number(values.runs));
const only = values.only?.split(",");
const rows = ROWS.filter((row) => only === undefined || only.includes(row.id));

const started = Date.now();
const reports: RowReport[] = [];
/** Every run's raw figures per row, as the children reported them (written to results.json). */
const rawRuns: Record<string, RowRuns> = {};
for (const row of rows) {
  process.stderr.write(`${row.title}\n`);
  const rowRuns: RowRuns = Object.fromEntries(
    row.contenders.map((c) => [c.key, { results: [], errors: [] }]),
  );
  // Contenders alternate run by run, so drift on a shared machine hits each of them alike.
  for (let run = 0; run < runs; run++) {
    for (const contender of row.contenders) {
      if (run >= (contender.maxRuns ?? runs)) {
        continue;
      }
      const outcome = await runChild(contender.script, {
        timeoutMs: contender.timeoutMs ?? DEFAULT_CHILD_TIMEOUT_MS,
        ...(contender.nodeFlags === undefined ? {} : { nodeFlags: contender.nodeFlags }),
        ...(contender.env === undefined ? {} : { env: contender.env }),
      });
      const slot = rowRuns[contender.key]!;
      if (outcome.ok) {
        slot.results.push(outcome.result);
      } else {
        slot.errors.push(outcome.error);
      }
      process.stderr.write(
        `  ${contender.label} run ${run + 1}: ${outcome.ok ? "ok" : outcome.error}\n`,
      );
    }
  }
  reports.push(row.evaluate(rowRuns));
  rawRuns[row.id] = rowRuns;
}

const table = formatTable(reports);
const notes = formatNotes(reports);
process.stdout.write(`\n${table}\n\n${notes}\n`);
process.stdout.write(
  `\n(${((Date.now() - started) / 1000).toFixed(0)} s; ${runs} runs per timing)\n`,
);

const resultsPath = fileURLToPath(new URL("../results.json", import.meta.url));
writeFileSync(
  resultsPath,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      machine: describeMachine(runs),
      table,
      rows: reports.map((report) => ({ ...report, runs: rawRuns[report.id] })),
    },
    null,
    2,
  )}\n`,
);
// The READMEs show these results: their sections are written from the file, never by hand.
for (const file of updateReadmes()) process.stdout.write(`updated ${file} from results.json\n`);
// A missed target is a finding, not a failure: the exit code stays 0 (issue 6).
