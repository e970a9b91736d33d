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
  },
};
