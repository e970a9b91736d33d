// The README sections that show `pnpm bench`'s latest results, written from bench/results.json so
// that no figure is copied by hand (issue 27). `pnpm bench` runs it after writing results.json;
// `pnpm check` runs it with --check, which fails when a section no longer matches the file.
// Run: `pnpm bench:readme` (write) or `pnpm bench:readme --check`.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What the sections read of bench/results.json (written by run.ts). */
export interface BenchResults {
  readonly generatedAt: string;
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly runsPerTiming: number;
  };
  /** The table `formatTable` printed: one markdown row per line, cells unpadded. */
  readonly table: string;
  readonly rows: readonly BenchRow[];
}

/** One row of results.json: what the table shows, and every run's raw figures by contender. */
export interface BenchRow {
  readonly id: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly runs?: {
    readonly [contender: string]: { readonly results: readonly Record<string, number>[] };
  };
}

/** A generated section: the file it is in and the markers around it. */
export interface GeneratedSection {
  /** Path from the repository root, for messages. */
  readonly file: string;
  /** `<!-- <name>:start -->` and `<!-- <name>:end -->` delimit it. */
  readonly name: string;
  readonly render: (results: BenchResults) => string;
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** What to run to bring the sections up to date (named in the --check failure). */
export const UPDATE_COMMAND = "pnpm bench:readme";

/**
 * The sections: the root README's Performance table, and bench/README.md's Latest results with
 * every run's figures of the rows whose spread matters (1, 2 and 5).
 */
export const SECTIONS: readonly GeneratedSection[] = [
  { file: "README.md", name: "performance", render: renderSection },
  { file: "bench/README.md", name: "latest-results", render: renderSection },
  { file: "bench/README.md", name: "run-figures", render: renderRunFigures },
];

/** One sentence on when and where the run was taken, the table, and the rows' notes. */
export function renderSection(results: BenchResults): string {
  const { machine } = results;
  const when = results.generatedAt.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  const parts = [
    `Latest run: ${when}, ${machine.cpus} × ${machine.cpuModel} (${machine.platform}), Node ${machine.node}, ${machine.runsPerTiming} runs per timing.`,
    alignTable(results.table),
  ];
  const notes = results.rows.flatMap((row) => {
    const number = row.title.slice(0, row.title.indexOf("."));
    return row.notes.map((note) => `- ${number}. ${note}`);
  });
  if (notes.length > 0) parts.push(notes.join("\n"));
  return parts.join("\n\n");
}

/**
 * Every run's figures of rows 1, 2 and 5, in run order, and for row 2 the range of the per-run
 * ratios (the contenders alternate, so the runs of one index ran side by side). A row missing
 * from the results (a partial `pnpm bench`) is left out.
 */
export function renderRunFigures(results: BenchResults): string {
  const byId = new Map(results.rows.map((row) => [row.id, row]));
  const figures = (row: BenchRow | undefined, contender: string, field: string, scale = 1) =>
    (row?.runs?.[contender]?.results ?? []).map((run) => (run[field] ?? Number.NaN) / scale);
  const list = (values: readonly number[], digits: number, unit = "") =>
    values.map((value) => `${value.toFixed(digits)}${unit}`).join(", ");
  const lines: string[] = [];

  const hotPath = byId.get("hot-path");
  if (hotPath?.runs) {
    lines.push(
      `- Row ${rowNumber(hotPath)}: Chaukas ${list(figures(hotPath, "chaukas", "nsPerEvent", 1000), 2)} µs/event (run medians), OTel ${list(figures(hotPath, "otel", "nsPerEvent", 1000), 2)} µs/span.`,
    );
  }

  const throughput = byId.get("throughput");
  if (throughput?.runs) {
    const rate = (contender: string) => figures(throughput, contender, "eventsPerSecond", 1000);
    const cpu = (contender: string) => figures(throughput, contender, "cpuMicrosPerEvent");
    const contender = (label: string, name: string) =>
      `${label} ${list(rate(name), 1, "k")} ev/s at ${list(cpu(name), 1)} µs`;
    const pair = (a: string, b: string) =>
      `${range(ratios(rate(a), rate(b)))}× the events/s at ${range(ratios(cpu(a), cpu(b)))}× the CPU per event`;
    lines.push(
      `- Row ${rowNumber(throughput)}: ${contender("Chaukas", "chaukas")} CPU/event. ${contender("grpc-js", "grpcJs")}. ${contender("Bare connect-es", "connectEs")}. The contenders alternate, so each trio ran side by side. Per run, the SDK made ${pair("chaukas", "grpcJs")} of grpc-js, and ${pair("chaukas", "connectEs")} of the bare client; the bare client made ${pair("connectEs", "grpcJs")} of grpc-js.`,
    );
  }

  const stalls = byId.get("event-loop-stalls");
  if (stalls?.runs) {
    lines.push(
      `- Row ${rowNumber(stalls)}: max stall ${list(figures(stalls, "chaukas", "maxMs"), 1)} ms, longest GC pause in the same runs ${list(figures(stalls, "chaukas", "longestGcPauseMs"), 1)} ms. Bare connect-es: max ${list(figures(stalls, "connectEs", "maxMs"), 1)} ms, longest GC pause ${list(figures(stalls, "connectEs", "longestGcPauseMs"), 1)} ms.`,
    );
  }
  return lines.join("\n");
}

/** The number a row's title starts with ("2b" of "2b. Throughput ..."). */
function rowNumber(row: BenchRow): string {
  return row.title.slice(0, row.title.indexOf("."));
}

/** `a[i] / b[i]` for the runs both have. */
function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, b.length).map((value, i) => value / b[i]!);
}

/** "min–max" of `values`, two decimals. */
function range(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
}

/** A markdown table with every column padded to its widest cell, as the READMEs are formatted. */
export function alignTable(table: string): string {
  const rows = table
    .trim()
    .split("\n")
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((cell) => cell.trim()),
    );
  const widths: number[] = [];
  rows.forEach((cells, index) => {
    if (index === 1) return; // the separator row takes the widths of the others
    cells.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 3, [...cell].length);
    });
  });
  return rows
    .map((cells, index) => {
      const padded = widths.map((width, column) =>
        index === 1 ? "-".repeat(width) : pad(cells[column] ?? "", width),
      );
      return `| ${padded.join(" | ")} |`;
    })
    .join("\n");
}

/** Pads by characters, not UTF-16 units, so "µ" and "×" count once. */
function pad(cell: string, width: number): string {
  return cell + " ".repeat(width - [...cell].length);
}

/**
 * `text` with the section `name` replaced by `content`. Throws when the markers are missing,
 * repeated or out of order: the section cannot be placed then.
 */
export function replaceSection(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) {
    throw new Error(`expected one "${start}" followed by one "${end}"`);
  }
  return `${text.slice(0, from + start.length)}\n<!-- Generated from bench/results.json by ${UPDATE_COMMAND}: do not edit by hand. -->\n\n${content}\n\n${text.slice(to)}`;
}

/** The files whose sections differ from `results`, with their updated text. */
export function staleFiles(
  results: BenchResults,
  read: (file: string) => string,
  sections: readonly GeneratedSection[] = SECTIONS,
): Map<string, string> {
  const stale = new Map<string, string>();
  for (const file of new Set(sections.map((section) => section.file))) {
    const current = read(file);
    let next = current;
    for (const section of sections) {
      if (section.file === file) next = replaceSection(next, section.name, section.render(results));
    }
    if (next !== current) stale.set(file, next);
  }
  return stale;
}

/** The files under `root` whose sections do not match its bench/results.json, with their text. */
function staleUnder(root: string): Map<string, string> {
  const read = (file: string) => readFileSync(`${root}${file}`, "utf8");
  return staleFiles(JSON.parse(read("bench/results.json")) as BenchResults, read);
}

/** Writes the sections from bench/results.json; returns the files it changed. */
export function updateReadmes(root = repoRoot): string[] {
  const stale = staleUnder(root);
  for (const [file, text] of stale) writeFileSync(`${root}${file}`, text);
  return [...stale.keys()];
}

/** The files whose sections do not match bench/results.json (none: up to date). */
export function checkReadmes(root = repoRoot): string[] {
  return [...staleUnder(root).keys()];
}

/** What `--check` prints when `files` are stale. */
export function staleMessage(files: readonly string[]): string {
  const verb = files.length === 1 ? "does" : "do";
  return `README Performance section is stale: run ${UPDATE_COMMAND} (${files.join(" and ")} ${verb} not match bench/results.json)`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const stale = checkReadmes();
    if (stale.length > 0) {
      console.error(staleMessage(stale));
      process.exitCode = 1;
    }
  } else {
    const changed = updateReadmes();
    console.log(
      changed.length > 0
        ? `updated from bench/results.json: ${changed.join(", ")}`
        : "README sections already match bench/results.json",
    );
  }
}
