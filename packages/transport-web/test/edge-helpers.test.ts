import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createChaukasWebClient,
  registerPageLifecycleFlush,
  type WaitUntilContext,
  withChaukas,
} from "../src/index.js";

let devserver: DevServer;

beforeAll(async () => {
  devserver = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await devserver?.close();
});

function newClient(projectId: string) {
  return createChaukasWebClient({
    baseUrl: devserver.url,
    tenantId: "acme",
    projectId,
  });
}

function storedTypes(sessionId: string): EventType[] {
  return devserver.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .map((e) => e.type);
}

/** Timers alive in this process (unref'd ones included). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** A runtime context that keeps what it is handed, as workerd's ExecutionContext does. */
function executionContext(): WaitUntilContext & { promises: Promise<unknown>[] } {
  const promises: Promise<unknown>[] = [];
  return { promises, waitUntil: (promise) => void promises.push(promise) };
}

describe("withChaukas", () => {
  it("hands the flush to waitUntil and leaves no timer running once it settled", async () => {
    const chaukas = newClient("edge-helpers");
    const timersBefore = activeTimers();
    const handler = withChaukas(
      chaukas,
      async (_request: Request, _env: unknown, _ctx: WaitUntilContext) => {
        const session = chaukas.startSession({ agentId: "edge" });
        session.inputReceived({ text: "hi" });
        session.end();
        return session.id;
      },
    );
    const ctx = executionContext();
    const sessionId = await handler(new Request("http://example.test/"), {}, ctx);

    expect(ctx.promises).toHaveLength(1);
    await Promise.all(ctx.promises);
    expect(storedTypes(sessionId)).toEqual([
      EventType.SESSION_START,
      EventType.INPUT_RECEIVED,
      EventType.SESSION_END,
    ]);
    expect(chaukas.stats()).toMatchObject({ queued: 0, inFlight: 0, sent: 3 });
    // Other timers of the process may have ended meanwhile; none of the client's may remain.
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("awaits the flush before returning where there is no waitUntil (Deno, Bun)", async () => {
    const chaukas = newClient("edge-helpers");
    const handler = withChaukas(chaukas, (_request: Request) => {
      const session = chaukas.startSession({ agentId: "edge" });
      session.end();
      return session.id;
    });
    const sessionId = await handler(new Request("http://example.test/"));
    // No polling: the events are stored by the time the handler's promise resolved.
    expect(storedTypes(sessionId)).toEqual([EventType.SESSION_START, EventType.SESSION_END]);
  });

  it("flushes when the handler throws, and rethrows its error", async () => {
    const chaukas = newClient("edge-helpers");
    let sessionId = "";
    const handler = withChaukas(chaukas, (_request: Request) => {
      sessionId = chaukas.startSession({ agentId: "edge" }).id;
      throw new Error("handler failed");
    });
    await expect(handler(new Request("http://example.test/"))).rejects.toThrow("handler failed");
    expect(storedTypes(sessionId)).toEqual([EventType.SESSION_START]);
  });

  it("declares as many parameters as the handler (Deno.serve passes no Request to zero)", () => {
    const chaukas = newClient("edge-helpers");
    expect(withChaukas(chaukas, (_request: Request) => 1).length).toBe(1);
    expect(withChaukas(chaukas, (_r: Request, _e: unknown, _c: WaitUntilContext) => 1).length).toBe(
      3,
    );
  });
});

describe("registerPageLifecycleFlush", () => {
  it("registers nothing and returns a callable no-op where there is no document", () => {
    const unregister = registerPageLifecycleFlush(newClient("edge-helpers"));
    expect(unregister).toBeTypeOf("function");
    expect(unregister()).toBeUndefined();
  });
});
