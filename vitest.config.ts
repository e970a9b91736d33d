import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// In-process tests run against the TypeScript sources of every workspace package, so a change
// is tested without a rebuild. Child processes and browsers use the built `dist/` instead.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@chaukas\/spec\/(.*)$/, replacement: `${root}packages/spec/src/$1.ts` },
      {
        find: /^@chaukas\/client\/(binary-encoding|integration|integrity|propagation|redact)$/,
        replacement: `${root}packages/client/src/$1.ts`,
      },
      {
        find: /^@chaukas\/client\/query$/,
        replacement: `${root}packages/client/src/query-filter.ts`,
      },
      {
        find: /^@chaukas\/client\/(relay|rest)$/,
        replacement: `${root}packages/client/src/$1/index.ts`,
      },
      { find: /^@chaukas\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "test/**/*.test.ts",
      "bench/src/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
