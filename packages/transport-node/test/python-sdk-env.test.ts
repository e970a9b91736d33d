// The Python SDK's example environment gives the same client options here.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ChaukasValidationError } from "@chaukas/client";
import { afterAll, describe, expect, it } from "vitest";
import { createChaukasClientFromEnv, nodeClientOptionsFromEnv } from "../src/client-from-env.js";

// One `.env` shared by a Python agent on chaukas-sdk 0.1.0 and a TypeScript one on ours.
const pythonEnvExample = parseEnv(
  readFileSync(new URL("./fixtures/python-sdk.env.example", import.meta.url), "utf8"),
);
const noExit = { exitFlush: false } as const;

describe("the Python SDK's documented .env (its .env.example)", () => {
  const dir = mkdtempSync(join(tmpdir(), "chaukas-python-env-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("as shipped (file mode, no file) is refused as Python refuses it: CHAUKAS_OUTPUT_FILE", () => {
    let thrown: unknown;
    try {
      nodeClientOptionsFromEnv(noExit, pythonEnvExample);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ChaukasValidationError);
    expect((thrown as ChaukasValidationError).field).toBe("CHAUKAS_OUTPUT_FILE");
  });

  it("in API mode gives the options the Python SDK reads from it, in our units", () => {
    const options = nodeClientOptionsFromEnv(noExit, {
      ...pythonEnvExample,
      CHAUKAS_OUTPUT_MODE: "api",
    });
    expect(options).toEqual({
      exitFlush: false,
      tenantId: "your-tenant-id-here",
      projectId: "your-project-id-here",
      baseUrl: "https://api.chaukas.ai",
      apiKey: "your-api-key-here",
      maxBatchSize: 20,
      maxBatchBytes: 262_144,
      // CHAUKAS_FLUSH_INTERVAL=5.0 and CHAUKAS_TIMEOUT=30.0 are seconds.
      flushIntervalMs: 5000,
      timeoutMs: 30_000,
      branch: "main",
      tags: ["production", "agent-monitoring"],
    });
  });

  it("in file mode writes events carrying its branch and tags", async () => {
    const path = join(dir, "events.jsonl");
    const chaukas = createChaukasClientFromEnv(noExit, {
      ...pythonEnvExample,
      CHAUKAS_OUTPUT_FILE: path,
    });
    const session = chaukas.startSession({ agentId: "planner" });
    session.system("hello from the TypeScript side");
    session.end();
    await chaukas.shutdown();

    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({
        tenant_id: "your-tenant-id-here",
        project_id: "your-project-id-here",
        branch: "main",
        tags: ["production", "agent-monitoring"],
      });
    }
  });
});
