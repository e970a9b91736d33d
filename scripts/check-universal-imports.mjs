#!/usr/bin/env node
// Universal packages (spec, client, transport-web) must run in browsers and edge runtimes:
// no Node built-in imports, no `process` or `Buffer`. `pnpm lint` runs this; pass directories
// to check others (the test of this script does). Exit code 1 lists every violation.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_DIRS = [
  "packages/spec/src",
  "packages/client/src",
  "packages/transport-web/src",
  "packages/mcp/src",
  "packages/openai-agents/src",
  "packages/ai-sdk/src",
  "packages/langchain/src",
  "packages/otel/src",
  "packages/openai/src",
  "packages/anthropic/src",
  "packages/claude-agent-sdk/src",
];
const EXTENSIONS = /\.(?:[cm]?[jt]sx?)$/;
const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/** Module specifiers: static/dynamic imports, re-exports and require(). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/g;
const NODE_GLOBAL = /(?<![\w$.])(?:globalThis\.)?(process\s*\.|process\b(?=\s*[[)])|Buffer\b)/g;

function isNodeBuiltin(specifier) {
  if (specifier.startsWith("node:")) return true;
  return BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0]);
}

/**
 * Blanks comments (keeping line breaks) so prose like "no Buffer here" is not flagged; with
 * `blankStrings`, string contents too (for globals: "/process.json" in a URL is no use).
 */
function stripComments(source, blankStrings = false) {
  let out = "";
  let i = 0;
  let quote = null;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (quote !== null) {
      if (c === "\\") {
        out += blankStrings ? "  " : c + (next ?? "");
        i += 2;
        continue;
      }
      if (c === quote) quote = null;
      out += blankStrings && quote !== null && c !== "\n" ? " " : c;
      i++;
    } else if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      if (c === '"' || c === "'" || c === "`") quote = c;
      out += c;
      i++;
    }
  }
  return out;
}

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (EXTENSIONS.test(entry)) yield path;
  }
}

function lineOf(source, index) {
  return source.slice(0, index).split("\n").length;
}

const dirs =
  process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DIRS.map((d) => join(root, d));
const violations = [];
for (const dir of dirs) {
  for (const file of files(dir)) {
    const text = readFileSync(file, "utf8");
    const source = stripComments(text);
    const code = stripComments(text, true);
    const where = (index) => `${relative(process.cwd(), file)}:${lineOf(source, index)}`;
    for (const match of source.matchAll(SPECIFIER)) {
      if (isNodeBuiltin(match[2])) {
        violations.push(`${where(match.index)}: imports Node built-in "${match[2]}"`);
      }
    }
    for (const match of code.matchAll(NODE_GLOBAL)) {
      violations.push(
        `${where(match.index)}: references Node global "${match[1].replace(/\s*[.[(]$/, "")}"`,
      );
    }
  }
}

if (violations.length > 0) {
  console.error(`Universal packages must not use Node built-ins (${violations.length}):`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log(
  `check-universal-imports: ${dirs.length} director${dirs.length === 1 ? "y" : "ies"} clean`,
);
