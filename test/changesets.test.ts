// Every pending changeset must be one `changeset version` can read: Biome formats Markdown, and
// once rewrote two front matters into headings that @changesets/parse rejects.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
// @changesets/parse is the parser @changesets/cli itself uses (its dependency, resolved from it).
const cli = require.resolve("@changesets/cli/package.json");
const parse: (text: string) => { releases: { name: string; type: string }[] } =
  createRequire(cli)("@changesets/parse").default;

const dir = new URL("../.changeset/", import.meta.url);
const files = readdirSync(dir).filter((file) => file.endsWith(".md") && file !== "README.md");

describe.skipIf(files.length === 0)("changesets", () => {
  it.each(files)("%s names at least one @chaukas package and a bump", (file) => {
    const { releases } = parse(readFileSync(new URL(file, dir), "utf8"));
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      expect(release.name).toMatch(/^@chaukas\//);
      expect(["major", "minor", "patch"]).toContain(release.type);
    }
  });
});
