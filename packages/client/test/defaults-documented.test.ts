// Holds every place a default is written in words to the constants: the "Default …" line of each
// option's doc comment, the README's options tables, and the READMEs' prose that names an
// option with its value. A change to `PROCESSOR_DEFAULTS` or `CLIENT_DEFAULTS` fails here until
// the docs follow.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_DEFAULTS, PROCESSOR_DEFAULTS } from "../src/index.js";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

/** Each default by the name the docs use: options' own names, `retry.*` for the retry policy. */
const DEFAULTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ...Object.entries(PROCESSOR_DEFAULTS).filter(([name]) => name !== "retry"),
  ...Object.entries(PROCESSOR_DEFAULTS.retry).map(([name, value]): [string, unknown] => [
    `retry.${name}`,
    value,
  ]),
  ...Object.entries(CLIENT_DEFAULTS),
]);

/**
 * A default as the docs write it: `10 000`, `262144`, `256 KiB`, `60 s` (an `…Ms` option in
 * seconds), `Infinity`, `true`, `""`, none; "X, else 10 000" where the constant is the fallback.
 */
function parseValue(text: string): unknown {
  // "the exporter's `timeoutMs`, else 10 000": the constant holds the fallback.
  const fallback = /, else (.+)$/.exec(text.trim());
  if (fallback !== null) return parseValue(fallback[1]!);
  const value = text.trim().replace(/^`|`$/g, "");
  if (value === "true" || value === "false") return value === "true";
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === '""') return "";
  if (value === "none" || value === "[]") return [];
  const number = /^(\d[\d ]*\d|\d)( KiB| s)?$/.exec(value);
  if (number === null) throw new Error(`not a default value: ${text}`);
  const unit = { " KiB": 1024, " s": 1000 }[number[2] ?? ""] ?? 1;
  return Number(number[1]!.replaceAll(" ", "")) * unit;
}

/** The doc comment of each property of `interfaceName` in `source`, by property name. */
function propertyDocs(source: string, interfaceName: string): Map<string, string> {
  const start = source.indexOf(`export interface ${interfaceName} `);
  expect(start, `interface ${interfaceName}`).toBeGreaterThanOrEqual(0);
  const body = source.slice(start, source.indexOf("\n}\n", start));
  const docs = new Map<string, string>();
  for (const [, doc, name] of body.matchAll(
    /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\??:/g,
  )) {
    docs.set(name!, doc!.replace(/\s*\n\s*\*\s?/g, " ").trim());
  }
  return docs;
}

/** The value a doc comment's "Default …" sentence states. */
function documentedDefault(doc: string): unknown {
  const sentence = /Default:? (.*?)(?:[.:](?!\d)|$)/.exec(doc)?.[1];
  if (sentence === undefined) throw new Error(`no "Default" in: ${doc}`);
  // "Default: the client's `pageSize` (100)": another option's default, quoted.
  const quoted = /\((\d[\d ]*)\)$/.exec(sentence);
  return parseValue(quoted === null ? sentence : quoted[1]!);
}

/** [interface, file, the default each documented property must state (by docs name)]. */
const OPTION_INTERFACES: readonly [string, string, Record<string, string>][] = [
  [
    "BatchProcessorOptions",
    "../src/pipeline/batch-processor-options.ts",
    {
      maxQueueSize: "maxQueueSize",
      truncateWhenFull: "truncateWhenFull",
      maxBatchSize: "maxBatchSize",
      maxBatchBytes: "maxBatchBytes",
      flushIntervalMs: "flushIntervalMs",
      maxConcurrentExports: "maxConcurrentExports",
      exportTimeoutMs: "exportTimeoutMs",
    },
  ],
  [
    "RetryOptions",
    "../src/pipeline/retry.ts",
    {
      maxAttempts: "retry.maxAttempts",
      initialBackoffMs: "retry.initialBackoffMs",
      maxBackoffMs: "retry.maxBackoffMs",
      multiplier: "retry.multiplier",
      maxElapsedMs: "retry.maxElapsedMs",
    },
  ],
  ["ShutdownOptions", "../src/pipeline/event-processor.ts", { timeoutMs: "shutdownTimeoutMs" }],
  [
    "ChaukasClientOptions",
    "../src/client.ts",
    { branch: "branch", tags: "tags", pageSize: "pageSize", reportLoss: "reportLoss" },
  ],
  ["QueryOptions", "../src/client.ts", { pageSize: "pageSize" }],
];

describe("defaults written in words", () => {
  it("every option's doc comment states the default of PROCESSOR_DEFAULTS / CLIENT_DEFAULTS", () => {
    const covered = new Set<string>();
    for (const [interfaceName, file, properties] of OPTION_INTERFACES) {
      const docs = propertyDocs(read(file), interfaceName);
      for (const [property, name] of Object.entries(properties)) {
        const doc = docs.get(property);
        expect(doc, `${interfaceName}.${property} has a doc comment`).toBeDefined();
        expect(documentedDefault(doc!), `${interfaceName}.${property}`).toEqual(DEFAULTS.get(name));
        covered.add(name);
      }
    }
    expect([...DEFAULTS.keys()].filter((name) => !covered.has(name))).toEqual([]);
  });

  it("the client README's options tables state the same defaults, every one of them", () => {
    const readme = read("../README.md");
    const rows = new Map<string, unknown>();
    for (const [, name, value] of readme.matchAll(/^\| `([\w.]+)` +\| ([^|]+?) +\|/gm)) {
      if (DEFAULTS.has(name!)) rows.set(name!, parseValue(value!.replace(/ \(.*\)$/, "")));
    }
    const shutdown = /^\| `shutdown\(\{ timeoutMs \}\)` +\| ([^|]+?) +\|/m.exec(readme);
    if (shutdown !== null) rows.set("shutdownTimeoutMs", parseValue(shutdown[1]!));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(DEFAULTS));
  });

  it("prose that names an option with its value in either README states the default", () => {
    const mentions: [string, unknown][] = [];
    for (const readme of [read("../README.md"), read("../../../README.md")]) {
      // "`maxQueueSize` (10 000)", "`maxBatchBytes` (256 KiB)", "**`maxBatchSize` 256**", "(60 s)".
      const mention = /`([\w.]+)`\*{0,2} \(?((?:\d[\d ]*\d|\d)(?: KiB| s)?)(?=[)*\s.,;])/g;
      for (const [, name, value] of readme.matchAll(mention)) {
        if (DEFAULTS.has(name!)) mentions.push([name!, parseValue(value!)]);
      }
    }
    expect(mentions.length).toBeGreaterThanOrEqual(5);
    for (const [name, value] of mentions) expect(value, name).toEqual(DEFAULTS.get(name));
  });
});
