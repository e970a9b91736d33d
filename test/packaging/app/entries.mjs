// Imports every entry point (`exports` key) of every installed @chaukas package and prints how
// many named exports each has, as JSON; consumer.test.ts runs it and its CommonJS twin.
import { readdirSync, readFileSync } from "node:fs";

const scope = new URL("./node_modules/@chaukas/", import.meta.url);
const loaded = {};
for (const dir of readdirSync(scope)) {
  const manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, scope), "utf8"));
  for (const key of Object.keys(manifest.exports)) {
    const specifier = key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    loaded[specifier] = Object.keys(await import(specifier)).length;
  }
}
console.log(JSON.stringify(loaded));
