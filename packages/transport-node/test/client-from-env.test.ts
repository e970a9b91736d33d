import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fromJson } from "@bufbuild/protobuf";
import { ChaukasValidationError } from "@chaukas/client";
import { startDevServer } from "@chaukas/devserver";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSupportAgent } from "../../../examples/node-agent/src/agent.js";
import { createChaukasClientFromEnv } from "../src/client-from-env.js";

type DevServer = Awaited<ReturnType<typeof startDevServer>>;

const noExit = { exitFlush: false } as const;

function configErrorOf(fn: () => unknown): ChaukasValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChaukasValidationError) return error;
    throw error;
  }
  throw new Error("expected a ChaukasValidationError");
}

describe("createChaukasClientFromEnv", () => {
  const apiKey = "ck_env_secret_42";
  let server: DevServer;
  let dir: string;
  beforeAll(async () => {
    server = await startDevServer({ port: 0, apiKey });
    dir = mkdtempSync(join(tmpdir(), "chaukas-env-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends to CHAUKAS_ENDPOINT with the key, tenant, project, protocol and batch size", async () => {
    const chaukas = createChaukasClientFromEnv(noExit, {
      CHAUKAS_ENDPOINT: server.url,
      CHAUKAS_API_KEY: apiKey,
      CHAUKAS_TENANT_ID: "globex",
      CHAUKAS_PROJECT_ID: "billing-bot",
      CHAUKAS_PROTOCOL: "connect",
      CHAUKAS_BATCH_SIZE: "4",
    });
    const { sessionId } = await runSupportAgent(chaukas, { pace: 0 });
    await chaukas.shutdown();

    const stats = chaukas.stats();
    expect(stats).toMatchObject({ emitted: 30, sent: 30, failed: 0 });
    // 30 events in batches of at most 4.
    expect(stats.exportCalls).toBeGreaterThanOrEqual(8);
    const stored = server.store.events().filter((e) => e.sessionId === sessionId);
    expect(stored).toHaveLength(30);
    expect(new Set(stored.map((e) => `${e.tenantId}/${e.projectId}`))).toEqual(
      new Set(["globex/billing-bot"]),
    );
  });

  it("waits CHAUKAS_FLUSH_INTERVAL seconds before sending a part-filled batch", async () => {
    const chaukas = createChaukasClientFromEnv(noExit, {
      CHAUKAS_ENDPOINT: server.url,
      CHAUKAS_API_KEY: apiKey,
      CHAUKAS_TENANT_ID: "acme",
      CHAUKAS_PROJECT_ID: "p",
      CHAUKAS_FLUSH_INTERVAL: "600.0",
    });
    chaukas.system("held back by the flush interval");
    // Longer than the 1 s default interval: with the variable ignored this would be sent.
    await sleep(1500);
    expect(chaukas.stats().sent).toBe(0);
    await chaukas.shutdown();
    expect(chaukas.stats().sent).toBe(1);
  });

  it("overrides win over the environment", async () => {
    const chaukas = createChaukasClientFromEnv(
      { ...noExit, tenantId: "override-tenant", baseUrl: server.url, apiKey },
      { CHAUKAS_TENANT_ID: "env-tenant", CHAUKAS_PROJECT_ID: "p" },
    );
    const id = chaukas.system("hello");
    await chaukas.shutdown();
    expect(server.store.get(id)?.tenantId).toBe("override-tenant");
  });

  it("writes valid JSON lines in CHAUKAS_OUTPUT_MODE=file", async () => {
    const path = join(dir, "events.jsonl");
    const chaukas = createChaukasClientFromEnv(noExit, {
      CHAUKAS_OUTPUT_MODE: "file",
      CHAUKAS_OUTPUT_FILE: path,
      CHAUKAS_TENANT_ID: "acme",
      CHAUKAS_PROJECT_ID: "support-bot",
      CHAUKAS_BATCH_SIZE: "7",
    });
    const { sessionId } = await runSupportAgent(chaukas, { pace: 0 });
    await chaukas.shutdown();

    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(30);
    const events = lines.map((line) => fromJson(EventSchema, JSON.parse(line)));
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([sessionId]));
    expect(new Set(events.map((e) => e.type)).size).toBe(19);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toHaveProperty("session_id", sessionId);
    expect(first).toHaveProperty("type", "EVENT_TYPE_SESSION_START");
    expect(events.find((e) => e.type === EventType.DATA_ACCESS)?.piiCategories).toEqual([
      "EMAIL",
      "NAME",
    ]);
  });

  it.each([
    [{ CHAUKAS_PROJECT_ID: "p", CHAUKAS_ENDPOINT: "http://localhost:1" }, "CHAUKAS_TENANT_ID"],
    [{ CHAUKAS_TENANT_ID: "t", CHAUKAS_ENDPOINT: "http://localhost:1" }, "CHAUKAS_PROJECT_ID"],
    [{ CHAUKAS_TENANT_ID: "t", CHAUKAS_PROJECT_ID: "p" }, "CHAUKAS_ENDPOINT"],
    [
      { CHAUKAS_TENANT_ID: "t", CHAUKAS_PROJECT_ID: "p", CHAUKAS_OUTPUT_MODE: "file" },
      "CHAUKAS_OUTPUT_FILE",
    ],
    [
      { CHAUKAS_TENANT_ID: "t", CHAUKAS_PROJECT_ID: "p", CHAUKAS_ENDPOINT: "localhost:50051" },
      "CHAUKAS_ENDPOINT",
    ],
    [
      {
        CHAUKAS_TENANT_ID: "t",
        CHAUKAS_PROJECT_ID: "p",
        CHAUKAS_ENDPOINT: "http://localhost:1",
        CHAUKAS_BATCH_SIZE: "ten",
      },
      "CHAUKAS_BATCH_SIZE",
    ],
  ] as [Record<string, string>, string][])("names %j's problem: %s", (env, variable) => {
    const error = configErrorOf(() => createChaukasClientFromEnv(noExit, env));
    expect(error.field).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
  });

  it("keeps the API key out of configuration errors", () => {
    const error = configErrorOf(() =>
      createChaukasClientFromEnv(noExit, {
        CHAUKAS_API_KEY: "ck_live_line\nbreak",
        CHAUKAS_TENANT_ID: "t",
        CHAUKAS_PROJECT_ID: "p",
        CHAUKAS_ENDPOINT: "http://localhost:1",
      }),
    );
    expect(error.field).toBe("CHAUKAS_API_KEY");
    expect(error.message).not.toContain("ck_live_line");
  });
});
