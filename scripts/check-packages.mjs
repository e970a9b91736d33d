#!/usr/bin/env node
// Checks the tarballs users install, not the workspace: packs every public package (as
// `pnpm publish` would), then
//   1. the release dry run: each packed manifest has real ranges where the workspace has
//      `workspace:` ones, ranges rather than exact pins, `files`, and every `exports`, `main`,
//      `types`, `typesVersions` and `bin` target present in the tarball;
//   2. publint (no error, warning or suggestion);
//   3. are-the-types-wrong, the checks of `attw --pack` (every entry, for node10, node16 from
//      CommonJS and from ESM, and bundlers).
// `pnpm lint` and `pnpm release:dry-run` run it after `pnpm build`; `--tarballs <dir>` checks
// tarballs made elsewhere instead. Exit code 1 lists every problem.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { packPackages, publicPackages } from "./pack-packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[\w.]+)?$/;

/** Every file path a manifest points at: exports (all conditions), main, types, typesVersions, bin. */
function manifestTargets(manifest) {
  const targets = [];
  const visit = (where, value) => {
    if (typeof value === "string") targets.push([where, value]);
    else if (value !== null && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) visit(`${where}.${key}`, v);
    }
  };
  visit("exports", manifest.exports);
  for (const field of ["main", "types"]) if (manifest[field]) visit(field, manifest[field]);
  visit("typesVersions", manifest.typesVersions);
  visit("bin", typeof manifest.bin === "string" ? { [manifest.name]: manifest.bin } : manifest.bin);
  return targets;
}

/** The release dry run: what would be published, read back from the tarball. */
function checkManifest(files, versions) {
  const problems = [];
  const manifest = JSON.parse(files.get("package.json"));
  const has = (path) => files.has(path.replace(/^\.\//, ""));
  for (const field of [...DEPENDENCY_FIELDS, "devDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith("workspace:")) problems.push(`${field}.${name} is still "${range}"`);
    }
  }
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (EXACT_VERSION.test(range)) {
        problems.push(`${field}.${name} is pinned to ${range}: use a range`);
      }
      const own = versions.get(name);
      if (own !== undefined && range !== `^${own}`) {
        problems.push(`${field}.${name} is "${range}", expected "^${own}" (the workspace version)`);
      }
    }
  }
  if (JSON.stringify(manifest.files) !== JSON.stringify(["dist", "CHANGELOG.md"])) {
    problems.push(`files is ${JSON.stringify(manifest.files)}, expected ["dist", "CHANGELOG.md"]`);
  }
  for (const [where, target] of manifestTargets(manifest)) {
    if (!has(target)) problems.push(`${where} points at ${target}, which is not in the tarball`);
  }
  for (const [key, entry] of Object.entries(manifest.exports ?? {})) {
    if (entry?.import === undefined || entry?.require === undefined) {
      problems.push(`exports["${key}"] lacks an "import" or a "require" condition`);
    }
  }
  for (const [command, target] of Object.entries(manifest.bin ?? {})) {
    const text = files.get(target.replace(/^\.\//, "")) ?? "";
    if (!text.startsWith("#!/usr/bin/env node")) {
      problems.push(`bin.${command} (${target}) does not start with #!/usr/bin/env node`);
    }
  }
  if (!manifest.engines?.node) problems.push("engines.node is missing");
  for (const doc of ["README.md", "CHANGELOG.md"]) {
    if (!files.has(doc)) problems.push(`${doc} is not in the tarball`);
  }
  const stray = [...files.keys()].filter((f) => /\.test\.|(^|\/)src\//.test(f));
  if (stray.length > 0) problems.push(`tests or sources packed: ${stray.slice(0, 5).join(", ")}`);
  return problems;
}

async function checkPublint(tarball, files) {
  const data = readFileSync(tarball);
  const { messages } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: "suggestion",
    strict: true,
  });
  const manifest = JSON.parse(files.get("package.json"));
  return messages.map((m) => `publint ${m.type}: ${formatMessage(m, manifest) ?? m.code}`);
}

async function checkTypes(tarball) {
  const result = await checkPackage(createPackageFromTarballData(readFileSync(tarball)));
  if (!result.types) return ["are-the-types-wrong: the package ships no types"];
  return result.problems.map((p) => {
    const where = [p.entrypoint, p.resolutionKind].filter(Boolean).join(", ");
    return `are-the-types-wrong ${p.kind}${where ? ` (${where})` : ""}`;
  });
}

/** The files of a tarball (paths without the leading `package/`), text content. */
function unpack(tarball) {
  const dir = mkdtempSync(join(tmpdir(), "chaukas-pack-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", dir]);
    const list = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    return new Map(
      list
        .filter((path) => !path.endsWith("/"))
        .map((path) => [path.replace(/^package\//, ""), readFileSync(join(dir, path), "utf8")]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tarballs to check: those in `--tarballs <dir>`, or every public package packed now. */
function tarballs() {
  const at = process.argv.indexOf("--tarballs");
  if (at !== -1) {
    const dir = process.argv[at + 1];
    if (dir === undefined) throw new Error("--tarballs needs a directory");
    // `changeset pack` writes no directory when every version is already published.
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((file) => file.endsWith(".tgz"))
      .map((file) => {
        const manifest = JSON.parse(unpack(join(dir, file)).get("package.json"));
        return { name: manifest.name, version: manifest.version, tarball: join(dir, file) };
      });
  }
  const destination = join(root, ".test-output", "packages");
  rmSync(destination, { recursive: true, force: true });
  return packPackages(destination);
}

const packed = tarballs();
if (packed.length === 0) console.log("No tarballs to check: nothing to publish.");
const versions = new Map(publicPackages().map((pkg) => [pkg.name, pkg.version]));
let failures = 0;
for (const pkg of packed) {
  const files = unpack(pkg.tarball);
  const problems = [
    ...checkManifest(files, versions),
    ...(await checkPublint(pkg.tarball, files)),
    ...(await checkTypes(pkg.tarball)),
  ];
  failures += problems.length;
  const status = problems.length === 0 ? "ok" : `${problems.length} problem(s)`;
  console.log(`${pkg.name}@${pkg.version} (${files.size} files): ${status}`);
  for (const problem of problems) console.log(`  - ${problem}`);
}
if (failures > 0) {
  console.error(`\n${failures} packaging problem(s); tarballs: ${packed[0]?.tarball ?? "none"} …`);
  process.exit(1);
}
