import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

const packagesDir = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Resolves `@chaukas/<pkg>` to the workspace sources, as the root vitest config does, so the
 * bundles a browser or an edge runtime loads are built from what is being tested, not from a
 * possibly stale `dist/`.
 */
export const chaukasSourcesPlugin: Plugin = {
  name: "chaukas-sources",
  setup(build) {
    build.onResolve({ filter: /^@chaukas\/spec\// }, (args) => ({
      path: `${packagesDir}spec/src/${args.path.slice("@chaukas/spec/".length)}.ts`,
    }));
    build.onResolve({ filter: /^@chaukas\/[a-z-]+$/ }, (args) => ({
      path: `${packagesDir}${args.path.slice("@chaukas/".length)}/src/index.ts`,
    }));
    // Subpaths (`@chaukas/client/integrity`): the source of the file the exports map names.
    build.onResolve({ filter: /^@chaukas\/[a-z-]+\/[a-z-]+$/ }, (args) => {
      const [pkg = "", subpath = ""] = args.path.slice("@chaukas/".length).split("/");
      const manifest = JSON.parse(readFileSync(`${packagesDir}${pkg}/package.json`, "utf8")) as {
        exports?: Record<string, { import?: { default?: string } }>;
      };
      const target = manifest.exports?.[`./${subpath}`]?.import?.default;
      if (target === undefined) return undefined;
      return {
        path: `${packagesDir}${pkg}/${target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")}`,
      };
    });
  },
};
