import { build } from "esbuild";
import { chaukasSourcesPlugin } from "../../scripts/chaukas-sources-plugin.js";

/** Bundles `entry` into one ESM file (as a string) for a browser page or an edge runtime. */
export async function bundleForRuntime(
  entry: string,
  platform: "browser" | "neutral" = "browser",
): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform,
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [chaukasSourcesPlugin],
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return file.text;
}
