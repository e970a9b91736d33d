import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { afterEach, expect, it } from "vitest";
import { createChaukasClientFromEnv } from "../src/index.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("CHAUKAS_OUTBOX_DIR stores batches in that directory until the backend takes them", async () => {
  const directory = mkdtempSync(join(tmpdir(), "chaukas-outbox-env-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const server: DevServer = await startDevServer();
  cleanups.push(() => server.close());
  server.faults.down = true;
  await server.faults.settled();
  const chaukas = createChaukasClientFromEnv(
    { exitFlush: false, flushIntervalMs: 10 },
    {
      CHAUKAS_ENDPOINT: server.url,
      CHAUKAS_TENANT_ID: "acme",
      CHAUKAS_PROJECT_ID: "outbox-env",
      CHAUKAS_OUTBOX_DIR: directory,
    },
  );
  const session = chaukas.startSession({ agentId: "a" });
  session.end();
  const records = () =>
    readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((name) =>
      name.endsWith(".batch"),
    );
  await expect.poll(records).toHaveLength(1);

  server.faults.down = false;
  await server.faults.settled();
  expect(await chaukas.flush({ timeoutMs: 20_000 })).toEqual({ completed: true, pending: 0 });
  expect(server.store.events().filter((e) => e.sessionId === session.id)).toHaveLength(2);
  expect(records()).toEqual([]);
  await chaukas.shutdown();
  expect(readdirSync(directory)).toEqual([]);
}, 30_000);
