import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chaukasSourcesPlugin } from "../../../packages/transport-web/scripts/chaukas-sources-plugin.js";

const outDir = fileURLToPath(new URL("../.test-output/", import.meta.url));

/**
 * Bundles `src/<name>.ts` into one ESM file for workerd, Deno or Bun, from the workspace sources
 * (not a possibly stale dist/). Returns the code and the path it was written to.
 */
export async function bundleExample(name: string): Promise<{ code: string; path: string }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [chaukasSourcesPlugin],
  });
  const code = result.outputFiles[0]?.text ?? "";
  mkdirSync(outDir, { recursive: true });
  const path = `${outDir}${name}.js`;
  writeFileSync(path, code);
  return { code, path };
}
