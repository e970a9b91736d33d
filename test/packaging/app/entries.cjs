// The CommonJS twin of entries.mjs: require() of every entry point of every installed @chaukas
// package, run with require(esm) turned off.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

const scope = join(__dirname, "node_modules", "@chaukas");
const loaded = {};
for (const dir of readdirSync(scope)) {
  const manifest = JSON.parse(readFileSync(join(scope, dir, "package.json"), "utf8"));
  for (const key of Object.keys(manifest.exports)) {
    const specifier = key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    loaded[specifier] = Object.keys(require(specifier)).length;
  }
}
console.log(JSON.stringify(loaded));
