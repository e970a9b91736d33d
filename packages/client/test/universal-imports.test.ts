import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(
  new URL("../../../scripts/check-universal-imports.mjs", import.meta.url),
);
const scratch = mkdtempSync(join(tmpdir(), "universal-"));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(...dirs: string[]) {
  return spawnSync(process.execPath, [script, ...dirs], { encoding: "utf8" });
}

describe("check-universal-imports", () => {
  it("passes for spec, client and transport-web as they are", () => {
    const result = run();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("reports every Node built-in import and Node global, with file and line", () => {
    writeFileSync(
      join(scratch, "bad.ts"),
      [
        'import { readFileSync } from "node:fs";',
        'import path from "path";',
        'export * from "crypto";',
        'const os = await import("os");',
        "const env = process.env.HOME;",
        'const bytes = Buffer.from("x");',
        "// Buffer and process. in a comment are fine",
        "const ok = new ArrayBuffer(8); const u = new URL('http://x/process.y');",
      ].join("\n"),
    );
    const result = run(scratch);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n").slice(1);
    expect(lines).toHaveLength(6);
    expect(result.stderr).toMatch(/bad\.ts:1: imports Node built-in "node:fs"/);
    expect(result.stderr).toMatch(/bad\.ts:2: imports Node built-in "path"/);
    expect(result.stderr).toMatch(/bad\.ts:3: imports Node built-in "crypto"/);
    expect(result.stderr).toMatch(/bad\.ts:4: imports Node built-in "os"/);
    expect(result.stderr).toMatch(/bad\.ts:5: references Node global "process"/);
    expect(result.stderr).toMatch(/bad\.ts:6: references Node global "Buffer"/);
  });
});
