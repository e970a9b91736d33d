import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { reportResult } from "../result-channel.js";

// Row 3: every entry bundled by esbuild the same way, then gzip level 9. Sizes are
// deterministic, so this runs once.
// The SDK page and its bare baseline are the very files the transport-web bundle budget
// measures (packages/transport-web/scripts/bundle-entries/), so the two checks cannot drift.
const BUDGET_ENTRIES = "../../../packages/transport-web/scripts/bundle-entries/";
const ENTRIES = {
  chaukas: `${BUDGET_ENTRIES}sdk`,
  bare: `${BUDGET_ENTRIES}bare`,
  otel: "../bundle-entries/otel-web",
  sentry: "../bundle-entries/sentry-browser",
} as const;

const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  metafile: true,
  logLevel: "silent",
  define: { "process.env.NODE_ENV": '"production"' },
};

/** Where the minified bytes of a bundle come from, by package. */
const GROUPS: readonly [string, RegExp][] = [
  ["protobuf-es runtime", /@bufbuild\/protobuf\//],
  ["generated spec (@chaukas/spec)", /(@chaukas\/spec|packages\/spec)\//],
  ["connect", /@connectrpc\/connect\//],
  ["connect-web", /@connectrpc\/connect-web\//],
  ["@chaukas/client", /(@chaukas\/client|packages\/client)\//],
  ["@chaukas/transport-web", /(@chaukas\/transport-web|packages\/transport-web)\//],
];

function entryPath(name: string): string {
  return fileURLToPath(new URL(`${name}.ts`, import.meta.url));
}

async function gzipSize(name: string, external: string[] = []) {
  const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [entryPath(name)], external });
  const code = result.outputFiles![0]!.contents;
  return {
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    metafile: result.metafile!,
  };
}

function bytesByGroup(metafile: Metafile): Record<string, number> {
  const output = Object.values(metafile.outputs)[0]!;
  const groups: Record<string, number> = {};
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = GROUPS.find(([, pattern]) => pattern.test(path))?.[0] ?? "other";
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
  }
  return groups;
}

const gzipBytes: Record<string, number | null> = {};
const minBytes: Record<string, number | null> = {};
const errors: string[] = [];
const composition: Record<string, Record<string, number>> = {};
for (const [key, entry] of Object.entries(ENTRIES)) {
  try {
    const size = await gzipSize(entry);
    gzipBytes[key] = size.gzipBytes;
    minBytes[key] = size.minBytes;
    composition[key] = bytesByGroup(size.metafile);
  } catch (error) {
    gzipBytes[key] = null;
    minBytes[key] = null;
    const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text;
    errors.push(`${entry} did not bundle: ${first ?? String(error).split("\n")[0]}`);
  }
}

// What protobuf-es costs: the same entry with its runtime left out of the bundle.
const protobufCost: Record<string, number> = {};
for (const key of ["chaukas", "bare"] as const) {
  const full = gzipBytes[key];
  if (full !== null && full !== undefined) {
    const without = await gzipSize(ENTRIES[key], ["@bufbuild/protobuf", "@bufbuild/protobuf/*"]);
    protobufCost[key] = full - without.gzipBytes;
  }
}

const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
const notes = [...errors];
for (const [key, cost] of Object.entries(protobufCost)) {
  const groups = composition[key] ?? {};
  const min = minBytes[key] ?? 1;
  const parts = Object.entries(groups)
    .sort((a, b) => b[1] - a[1])
    .map(([group, bytes]) => `${group} ${((bytes / min) * 100).toFixed(0)}%`)
    .join(", ");
  notes.push(
    `${key}: protobuf-es runtime costs ${kb(cost)} gz of ${kb(gzipBytes[key]!)}; minified bytes by package: ${parts}`,
  );
}
reportResult({ gzipBytes, minBytes, protobufCostGzipBytes: protobufCost, composition, notes });
