import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import {
  alignTable,
  type BenchResults,
  checkReadmes,
  renderRunFigures,
  renderSection,
  replaceSection,
  staleMessage,
  updateReadmes,
} from "./readme-results.js";

const fixture = readFileSync(new URL("./fixtures/results-small.json", import.meta.url), "utf8");
const results = JSON.parse(fixture) as BenchResults;

const ROOT_README = `# Chaukas

## Performance

Prose the script leaves alone.

<!-- performance:start -->
an old table, copied by hand
<!-- performance:end -->

## Development
`;

const BENCH_README = `# bench

## Latest results

<!-- latest-results:start -->
<!-- latest-results:end -->

Every run's figures:

<!-- run-figures:start -->
- Row 1: 9.99 µs/event
<!-- run-figures:end -->
`;

let root: string | undefined;

/** A repository of the three files the script reads, in a temporary directory. */
function repoWith(resultsJson: string): string {
  root = `${mkdtempSync(`${tmpdir()}/readme-results-`)}/`;
  mkdirSync(`${root}bench`);
  writeFileSync(`${root}README.md`, ROOT_README);
  writeFileSync(`${root}bench/README.md`, BENCH_README);
  writeFileSync(`${root}bench/results.json`, resultsJson);
  return root;
}

afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe("the README sections written from bench/results.json", () => {
  it("writes the table, its run and its notes between the markers, and keeps the prose around them", () => {
    const dir = repoWith(fixture);
    expect(updateReadmes(dir)).toEqual(["README.md", "bench/README.md"]);
    const readme = readFileSync(`${dir}README.md`, "utf8");
    expect(readme).not.toContain("an old table, copied by hand");
    expect(readme).toContain("Prose the script leaves alone.");
    expect(readme).toContain("## Development");
    expect(readme).toContain(
      "Latest run: 2026-12-01 10:20 UTC, 2 × Test CPU (linux x64), Node v20.20.2, 2 runs per timing.",
    );
    expect(readme).toContain(
      "| 1. Hot path (on the caller's stack) | 2.50 µs/event | OTel BatchSpanProcessor 4.00 µs/span |",
    );
    expect(readme).toContain("- 2. every client: batches of 256");
    expect(readme).toContain("- 3. chaukas: protobuf-es runtime costs 27.3 KB gz of 57.0 KB");
    const bench = readFileSync(`${dir}bench/README.md`, "utf8");
    expect(bench).toContain("| 3. Browser bundle                   | 57.0 KB       |");
    expect(bench).not.toContain("9.99 µs/event");
    expect(bench).toContain("- Row 1: Chaukas 2.50, 2.60 µs/event (run medians), OTel 4.00, 3.90");
  });

  it("is up to date after writing, and stale again when results.json changes", () => {
    const dir = repoWith(fixture);
    expect(checkReadmes(dir)).toEqual(["README.md", "bench/README.md"]);
    updateReadmes(dir);
    expect(checkReadmes(dir)).toEqual([]);
    expect(updateReadmes(dir)).toEqual([]);
    writeFileSync(`${dir}bench/results.json`, fixture.replace("57.0 KB", "56.2 KB"));
    expect(checkReadmes(dir)).toEqual(["README.md", "bench/README.md"]);
    expect(staleMessage(checkReadmes(dir))).toBe(
      "README Performance section is stale: run pnpm bench:readme (README.md and bench/README.md do not match bench/results.json)",
    );
  });

  it("is stale when a figure inside a section is edited by hand", () => {
    const dir = repoWith(fixture);
    updateReadmes(dir);
    const readme = readFileSync(`${dir}README.md`, "utf8");
    writeFileSync(`${dir}README.md`, readme.replace("57.0 KB", "55.0 KB"));
    expect(checkReadmes(dir)).toEqual(["README.md"]);
    expect(staleMessage(["README.md"])).toContain("(README.md does not match");
  });

  it("refuses a file whose markers are missing or out of order", () => {
    expect(() => replaceSection("no markers", "performance", "x")).toThrow(
      'expected one "<!-- performance:start -->" followed by one "<!-- performance:end -->"',
    );
    expect(() =>
      replaceSection("<!-- performance:end -->\n<!-- performance:start -->", "performance", "x"),
    ).toThrow("expected one");
  });
});

describe("renderSection", () => {
  it("pads every column to its widest cell, counting µ and × once", () => {
    expect(alignTable("| a | bb |\n| --- | --- |\n| µµµµ | × |")).toBe(
      ["| a    | bb  |", "| ---- | --- |", "| µµµµ | ×   |"].join("\n"),
    );
  });

  it("leaves out the notes list when no row has notes", () => {
    const section = renderSection({ ...results, rows: [] });
    expect(section.split("\n\n")).toHaveLength(2);
  });
});

describe("renderRunFigures", () => {
  it("lists each run's figures in run order, and row 2's per-run ratios as ranges", () => {
    const text = renderRunFigures(results);
    expect(text).toContain(
      "- Row 2: Chaukas 20.0k, 22.0k ev/s at 50.0, 55.0 µs CPU/event. grpc-js 16.0k, 22.0k ev/s at 50.0, 44.0 µs.",
    );
    // 20k/16k = 1.25 and 22k/22k = 1.00; CPU 50/50 = 1.00 and 55/44 = 1.25.
    expect(text).toContain(
      "the SDK made 1.00–1.25× the events/s at 1.00–1.25× the CPU per event of grpc-js",
    );
    expect(text).toContain(
      "1.00–1.10× the events/s at 1.10–1.25× the CPU per event of the bare client",
    );
  });

  it("leaves out a row that is not in the results (a partial run)", () => {
    const text = renderRunFigures(results);
    expect(text).not.toContain("Row 5");
    expect(renderRunFigures({ ...results, rows: [] })).toBe("");
  });
});
