// Packs every public workspace package the way `pnpm publish` would (`workspace:` ranges
// replaced by real ones), for the checks over the tarballs users get: scripts/check-packages.mjs
// (`pnpm lint`) and the consumer test in test/packaging/. Needs `pnpm build` first.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The workspace packages that are published: packages/* not marked private. */
export function publicPackages() {
  const dir = join(root, "packages");
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, "package.json")))
    .map((path) => ({
      dir: path,
      manifest: JSON.parse(readFileSync(join(path, "package.json"), "utf8")),
    }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ dir, name: manifest.name, version: manifest.version }));
}

/** Packs each public package into `destination`; returns each with the path of its tarball. */
export function packPackages(destination) {
  const out = resolve(destination);
  mkdirSync(out, { recursive: true });
  return publicPackages().map((pkg) => {
    if (!existsSync(join(pkg.dir, "dist"))) {
      throw new Error(`${pkg.name} has no dist/: run \`pnpm build\` first`);
    }
    execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: pkg.dir, stdio: "ignore" });
    const tarball = join(out, `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
    return { ...pkg, tarball };
  });
}
