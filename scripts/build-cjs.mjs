#!/usr/bin/env node
// Writes the CommonJS twin of a package's ESM build: dist/cjs/ mirrors dist/, one file per
// module, so `require("@chaukas/…")` gets real CommonJS with its own types (the packages'
// `exports` send the "require" condition there). Like connect-es and protobuf-es, the two
// builds are the same code; unlike them, the second is transpiled from the first with esbuild
// (tsc's CommonJS emit cannot compile `import.meta`, which the devserver needs to find its
// viewer). `pnpm build` runs it after `tsc -b`: `node scripts/build-cjs.mjs packages/*`.
//
// Arguments: package directories (default: the current directory).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";

const packageDirs = process.argv.length > 2 ? process.argv.slice(2) : ["."];

/** Every file under `dir` (relative paths), skipping `skip` directories at the top. */
function walk(dir, skip, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (!entry.isDirectory()) return [path];
    return prefix === "" && skip.includes(entry.name) ? [] : walk(dir, skip, path);
  });
}

/**
 * `import.meta.url` has no CommonJS equivalent, so a module that uses it gets the URL of its
 * ESM twin: paths it resolves from there (the devserver's `../dist/viewer/`) stay correct.
 */
function importMetaShim(cjsFile, esmFile) {
  const fromHere = relative(dirname(cjsFile), esmFile);
  // First the directive: a banner goes above esbuild's own "use strict", which would then be inert.
  return (
    `"use strict";\nconst __chaukas_import_meta_url = require("node:url").pathToFileURL(` +
    `require("node:path").join(__dirname, ${JSON.stringify(fromHere)})).href;`
  );
}

/** A declaration map of dist/x.d.ts, re-pointed from dist/cjs/x.d.ts at the same sources. */
function movedDeclarationMap(text, esmDir, cjsDir) {
  const map = JSON.parse(text);
  map.sources = map.sources.map((source) => relative(cjsDir, resolve(esmDir, source)));
  return JSON.stringify(map);
}

async function buildCjs(packageDir) {
  const dist = resolve(packageDir, "dist");
  const out = join(dist, "cjs");
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run tsc -b first`);
  await rm(out, { recursive: true, force: true });
  // tsc output is the .js files that have a declaration beside them (dist/viewer, a browser
  // bundle, has none and is not a module of the package). Commands in `bin` stay ESM only: node
  // runs them as they are, nothing requires them, and they may use top-level await.
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const bins = Object.values(manifest.bin ?? {}).map((path) =>
    relative(dist, resolve(packageDir, path)),
  );
  const files = walk(dist, ["cjs"]);
  const declared = new Set(files.filter((f) => f.endsWith(".d.ts")));
  const modules = files.filter(
    (f) => f.endsWith(".js") && declared.has(`${f.slice(0, -3)}.d.ts`) && !bins.includes(f),
  );
  const usesImportMeta = (f) => readFileSync(join(dist, f), "utf8").includes("import.meta");

  const common = {
    outbase: dist,
    outdir: out,
    format: "cjs",
    // Only for the "node" platform does esbuild end each file with `0 && (module.exports = { a,
    // b, ...require("./c.js") })`: the annotation Node's cjs-module-lexer reads, so that an ESM
    // `import` of this CommonJS build sees its named exports and not only `default`. Without
    // bundling, that annotation is all the platform changes in the output.
    platform: "node",
    target: "es2022",
    bundle: false,
    sourcemap: true,
    logLevel: "warning",
  };
  const plain = modules.filter((f) => !usesImportMeta(f));
  if (plain.length > 0) await build({ ...common, entryPoints: plain.map((f) => join(dist, f)) });
  for (const file of modules.filter(usesImportMeta)) {
    await build({
      ...common,
      entryPoints: [join(dist, file)],
      define: { "import.meta.url": "__chaukas_import_meta_url" },
      banner: { js: importMetaShim(join(out, file), join(dist, file)) },
    });
  }

  for (const file of files.filter((f) => f.endsWith(".d.ts") || f.endsWith(".d.ts.map"))) {
    const target = join(out, file);
    await mkdir(dirname(target), { recursive: true });
    const text = await readFile(join(dist, file), "utf8");
    await writeFile(
      target,
      file.endsWith(".map")
        ? movedDeclarationMap(text, dirname(join(dist, file)), dirname(target))
        : text,
    );
  }
  await writeFile(join(out, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
}

for (const dir of packageDirs) await buildCjs(dir);
