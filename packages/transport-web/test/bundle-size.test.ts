import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const script = fileURLToPath(new URL("../scripts/bundle-size.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

it("keeps the browser entry within 45 KB gz and the SDK's own share within 6 KB gz", async () => {
  // Runs the script exactly as CI does; it exits 1 (rejecting here) on any budget or module breach.
  const { stdout } = await promisify(execFile)(tsx, [script], { encoding: "utf8" });
  expect(stdout).toMatch(/bare connect-web \+ protobuf-es: +\d+\.\d KB gz/);
  expect(stdout).toMatch(/SDK browser entry: +\d+\.\d KB gz/);
  expect(stdout).toMatch(/SDK's own share: +-?\d+\.\d KB gz/);
}, 60_000);
