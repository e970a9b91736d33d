import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const committed = join(root, "packages/spec/src/gen");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** `buf generate` with `template` (its `out` redirected), checked against the committed tree. */
function expectReproduced(template: string, out: string, committedDir: string): void {
  const fresh = join(mkdtempSync(join(tmpdir(), "chaukas-gen-")), "out");
  try {
    const buf = join(root, "node_modules/.bin/buf");
    const redirected = readFileSync(join(root, template), "utf8").replace(
      `out: ${out}`,
      `out: ${fresh}`,
    );
    execFileSync(buf, ["generate", "--template", redirected], { cwd: root, stdio: "pipe" });
    const files = listFiles(fresh);
    expect(listFiles(committedDir)).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(committedDir, file), "utf8"), file).toBe(
        readFileSync(join(fresh, file), "utf8"),
      );
    }
  } finally {
    rmSync(dirname(fresh), { recursive: true, force: true });
  }
}

describe("generated binary encoders", () => {
  it("are exactly what protoc-gen-binary-encoder produces from proto/ (no hand edits, nothing stale)", () => {
    expectReproduced(
      "packages/client/buf.encoder.gen.yaml",
      "packages/client/src/wire/gen",
      join(root, "packages/client/src/wire/gen"),
    );
  });
});

describe("generated spec code", () => {
  it("is exactly what `buf generate` produces from proto/ (no hand edits, nothing stale)", () => {
    const out = mkdtempSync(join(tmpdir(), "chaukas-gen-"));
    try {
      const buf = join(root, "node_modules/.bin/buf");
      // Same template, output redirected so the committed tree is left untouched.
      const template = readFileSync(join(root, "buf.gen.yaml"), "utf8").replace(
        "out: packages/spec/src/gen",
        `out: ${out}`,
      );
      execFileSync(buf, ["generate", "--template", template], { cwd: root, stdio: "pipe" });
      const fresh = listFiles(out);
      expect(listFiles(committed)).toEqual(fresh);
      for (const file of fresh) {
        expect(readFileSync(join(committed, file), "utf8"), file).toBe(
          readFileSync(join(out, file), "utf8"),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
