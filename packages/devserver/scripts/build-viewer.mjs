#!/usr/bin/env node
// Builds the trace viewer into dist/viewer/: the page, its stylesheet, and one bundled
// script (the SDK's client and web transport included), so the devserver serves it with no
// CDN and no network. `pnpm build` runs this after `tsc -b`; tests call `buildViewer` with
// `fromSources` to bundle the workspace sources instead of the packages' dist/.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const packagesDir = fileURLToPath(new URL("../..", import.meta.url));
const viewerSources = `${packageDir}src/viewer/`;

/** Where the viewer is written; `src/viewer-assets.ts` serves from here. */
export const VIEWER_OUT_DIR = `${packageDir}dist/viewer/`;

/** Resolves `@chaukas/<pkg>` (and `@chaukas/spec/<path>`) to the workspace's TypeScript. */
const workspaceSources = {
  name: "chaukas-workspace-sources",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@chaukas\/spec\// }, (args) => ({
      path: `${packagesDir}spec/src/${args.path.slice("@chaukas/spec/".length)}.ts`,
    }));
    esbuild.onResolve({ filter: /^@chaukas\/[a-z-]+$/ }, (args) => ({
      path: `${packagesDir}${args.path.slice("@chaukas/".length)}/src/index.ts`,
    }));
  },
};

/**
 * Writes index.html, viewer.css and viewer.js to `outDir`. Returns the script's size in bytes.
 * @param {{ outDir?: string, fromSources?: boolean }} [options]
 */
export async function buildViewer(options = {}) {
  const outDir = options.outDir ?? VIEWER_OUT_DIR;
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [`${viewerSources}main.ts`],
    outfile: `${outDir}viewer.js`,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    logLevel: "warning",
    write: false,
    plugins: options.fromSources === true ? [workspaceSources] : [],
  });
  const script = result.outputFiles.find((file) => file.path.endsWith("viewer.js"));
  if (script === undefined) throw new Error("esbuild produced no viewer.js");
  await writeAtomically(`${outDir}viewer.js`, script.contents);
  await writeAtomically(`${outDir}index.html`, await readFile(`${viewerSources}index.html`));
  await writeAtomically(`${outDir}viewer.css`, await readFile(`${viewerSources}viewer.css`));
  return script.contents.byteLength;
}

/** A server running meanwhile (tests build while others serve) never reads half a file. */
async function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildViewer({ fromSources: process.argv.includes("--from-sources") });
  process.stdout.write(
    `trace viewer: ${VIEWER_OUT_DIR} (viewer.js ${(bytes / 1024).toFixed(1)} KB)\n`,
  );
}
