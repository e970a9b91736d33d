// The public API of every package, entry point by entry point, compared with the report committed
// beside it (packages/<name>/api-report.md), so that a change of what a package exports shows up
// in review. Reads the built packages: run `pnpm build` first. After an intended change, rewrite
// the reports with `pnpm build && pnpm vitest run test/public-api/ -u` and commit them.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareNames,
  type DeclaredExport,
  declaredExports,
  type PackageEntry,
  runtimeNames,
  type WorkspacePackage,
  workspacePackages,
} from "./package-exports.js";

const UPDATE_HINT =
  "the public API changed: if that is intended, run `pnpm build && pnpm vitest run test/public-api/ -u` and commit the api-report.md";

const packages = workspacePackages(fileURLToPath(new URL("../../packages/", import.meta.url)));
const declared = declaredExports(
  packages.flatMap((workspacePackage) => workspacePackage.entries.map((e) => e.declarations)),
);

/** The report of one entry point: its runtime values, then its type-only names, with kinds. */
function entryReport(entry: PackageEntry, values: readonly string[]): string {
  const names = declared.get(entry.declarations)!;
  const line = (name: DeclaredExport) =>
    `- \`${name.name}\` ${name.kind}${name.internal ? " (@internal)" : ""}`;
  const section = (title: string, list: readonly DeclaredExport[]) =>
    list.length === 0 ? [] : [`### ${title}`, "", ...list.map(line), ""];
  return [
    `## \`${entry.specifier}\``,
    "",
    ...section(
      "Values",
      names.filter((name) => values.includes(name.name)),
    ),
    ...section(
      "Types",
      names.filter((name) => !values.includes(name.name)),
    ),
  ].join("\n");
}

async function packageReport(workspacePackage: WorkspacePackage): Promise<string> {
  const entries: string[] = [];
  for (const entry of workspacePackage.entries) {
    entries.push(entryReport(entry, await runtimeNames(entry.esm)));
  }
  return [
    `# Public API of ${workspacePackage.name}`,
    "",
    "<!-- Written by test/public-api/public-api.test.ts from the built package: do not edit.",
    "     After changing what the package exports: pnpm build && pnpm vitest run test/public-api/ -u -->",
    "",
    "Each entry point of the package's `exports` map: the names it has at run time (ESM and",
    "CommonJS alike), then those that are types only. `@internal` names are for other `@chaukas`",
    "packages: left out of the API reference and not covered by semantic versioning.",
    "",
    ...entries,
  ].join("\n");
}

describe.each(packages.map((p) => [p.name, p] as const))("%s", (_name, workspacePackage) => {
  it.each(workspacePackage.entries.map((e) => [e.specifier, e] as const))(
    "%s: its CommonJS build and its .d.ts export every name its ESM build does",
    async (_specifier, entry) => {
      const esm = await runtimeNames(entry.esm);
      const commonJs = (await runtimeNames(entry.commonJs)).filter((name) => name !== "default");
      expect(commonJs, `${entry.commonJs}: names an ESM import() sees`).toEqual(esm);
      const typed = declared.get(entry.declarations)!.map((name) => name.name);
      expect(
        esm.filter((name) => !typed.includes(name)),
        `${entry.declarations}: runtime names without a declaration`,
      ).toEqual([]);
    },
  );

  it("exports what its api-report.md lists", async () => {
    await expect(await packageReport(workspacePackage), UPDATE_HINT).toMatchFileSnapshot(
      join(workspacePackage.dir, "api-report.md"),
    );
  });
});

it("lists the names of each entry in code-point order", () => {
  expect(["b", "B", "a", "_"].sort(compareNames)).toEqual(["B", "_", "a", "b"]);
});
