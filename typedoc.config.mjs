// API reference for the published packages: `pnpm docs` writes docs/api/ (one module per
// package entry point). Warnings are errors, and every exported symbol needs a doc comment
// (`validation.notDocumented`), so CI fails on an undocumented export or a broken {@link}.
import { OptionDefaults } from "typedoc";

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "Chaukas TypeScript SDK",
  entryPointStrategy: "packages",
  entryPoints: ["packages/*"],
  packageOptions: {
    includeVersion: true,
    excludePrivate: true,
    excludeInternal: true,
    readme: "none",
    // protoc-gen-es marks generated declarations with `@generated from message …`.
    blockTags: [...OptionDefaults.blockTags, "@generated"],
    disableSources: true,
    // `pnpm build` has type-checked these sources already; TypeDoc need not do it again.
    skipErrorChecking: true,
  },
  out: "docs/api",
  readme: "README.md",
  disableSources: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
};
