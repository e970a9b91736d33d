// Imports the CommonJS build of every entry point of every installed @chaukas package with ESM
// `import()` and prints, per entry, the named exports of its ESM build that the CommonJS one
// lacks. Node finds a CommonJS module's names with cjs-module-lexer, without running it, so this
// proves the build's `0 && (module.exports = {…})` annotations are there and complete.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const scope = new URL("./node_modules/@chaukas/", import.meta.url);
const missing = {};
for (const dir of readdirSync(scope)) {
  const manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, scope), "utf8"));
  for (const key of Object.keys(manifest.exports)) {
    const specifier = key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    const commonJs = await import(pathToFileURL(require.resolve(specifier)).href);
    const esm = await import(specifier);
    missing[specifier] = Object.keys(esm).filter((name) => !(name in commonJs));
  }
}
console.log(JSON.stringify(missing));
