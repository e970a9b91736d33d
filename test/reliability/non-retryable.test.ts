// Errors that would fail the same way again must not be retried: a wrong API key, a
// missing permission, a request the backend calls invalid. Counted at the server: at most
// one call per batch, and the application hears about each through `onError` with the
// transport's typed ConnectError.
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import {
  allBatchCalls,
  batchCalls,
  clientFor,
  expectBalanced,
  recordErrors,
  type TestClientOptions,
} from "./support.js";

const EVENTS = 250; // three default batches: 100, 100, 50
const BATCHES = 3;

interface Case {
  readonly name: string;
  readonly code: Code;
  /** The outcome name the server counts calls under. */
  readonly outcome: string;
  start(): Promise<DevServer>;
  readonly client: TestClientOptions;
}

const CASES: readonly Case[] = [
  {
    name: "UNAUTHENTICATED (wrong API key)",
    code: Code.Unauthenticated,
    outcome: "unauthenticated",
    start: () => startDevServer({ apiKey: "the-server-key" }),
    client: { transportOptions: { apiKey: "a-stale-key" } },
  },
  {
    name: "UNAUTHENTICATED (no API key)",
    code: Code.Unauthenticated,
    outcome: "unauthenticated",
    start: () => startDevServer({ apiKey: "the-server-key" }),
    client: {},
  },
  {
    name: "PERMISSION_DENIED",
    code: Code.PermissionDenied,
    outcome: "permission_denied",
    start: () => startDevServer({ faults: { failEvery: { code: Code.PermissionDenied, k: 1 } } }),
    client: {},
  },
  {
    name: "INVALID_ARGUMENT",
    code: Code.InvalidArgument,
    outcome: "invalid_argument",
    start: () => startDevServer({ faults: { failEvery: { code: Code.InvalidArgument, k: 1 } } }),
    client: {},
  },
];

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("non-retryable rejections (default retry policy)", () => {
  it.each(CASES)("$name: one call per batch, onError gets a typed ConnectError", async (c) => {
    server = await c.start();
    const recorder = recordErrors();
    const chaukas = clientFor(server, {
      maxBatchSize: 100,
      ...c.client,
      onError: recorder.onError,
    });
    const session = chaukas.startSession({ agentId: "planner" });
    for (let i = 1; i < EVENTS; i++) session.stateUpdate({ step: i });
    expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });

    // At the server: exactly one call per batch, every one refused with the code.
    expect(allBatchCalls(server)).toBe(BATCHES);
    expect(batchCalls(server, c.outcome)).toBe(BATCHES);
    expect(server.store.size).toBe(0);

    // To the application: one final report per batch, typed, naming the cause.
    expect(recorder.errors).toHaveLength(BATCHES);
    for (const { error, info } of recorder.errors) {
      expect(error).toBeInstanceOf(ConnectError);
      expect(error.code).toBe(c.code);
      expect(info).toMatchObject({ reason: "rejected", willRetry: false });
    }
    expect(recorder.errors.map((e) => e.info.events)).toEqual([100, 100, 50]);

    const stats = chaukas.stats();
    expect(stats).toMatchObject({
      emitted: EVENTS,
      sent: 0,
      failed: EVENTS,
      retried: 0,
      exportCalls: BATCHES,
    });
    expectBalanced(stats);
    await chaukas.shutdown();
  });
});
