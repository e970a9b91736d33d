import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const script = fileURLToPath(new URL("../scripts/bundle-size.ts", import.meta.url));
const tsx = `${repoRoot}node_modules/.bin/tsx`;

it("keeps the browser entry under its ceiling, pulls in nothing unwanted, and reports the 45 KB / 6 KB budget", async () => {
  // The budget is measured on the built packages, as a page bundles them from npm: build first
  // (a no-op when `pnpm build` just ran).
  execFileSync(
    process.execPath,
    [`${repoRoot}node_modules/typescript/bin/tsc`, "-b", `${repoRoot}packages/transport-web`],
    { stdio: "pipe" },
  );
  // Runs the script exactly as CI does; it exits 1 (rejecting here) when the bundle grows past
  // BUNDLE_CEILING or adds a module it must not. The budget is missed today: the script
  // prints it as "MISSED target" and `--enforce-target` makes it fatal.
  const { stdout } = await promisify(execFile)(tsx, [script], { encoding: "utf8" });
  expect(stdout).toMatch(/bare connect-web \+ protobuf-es: +\d+\.\d KB gz/);
  expect(stdout).toMatch(/SDK browser entry: +\d+\.\d KB gz/);
  expect(stdout).toMatch(/SDK's own share: +-?\d+\.\d KB gz/);
  expect(stdout).toMatch(/budget 45\.0 KB/);
}, 120_000);
