import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { SpanContext } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { createAsyncLocalStorageContextManager } from "./async-local-storage-context-manager.js";

const span = (spanId: string): SpanContext => ({
  sessionId: "session-1",
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId,
});

describe("AsyncLocalStorage context manager", () => {
  it("has no active span outside with()", () => {
    const contexts = createAsyncLocalStorageContextManager();
    expect(contexts.active()).toBeUndefined();
  });

  it("keeps the span active across awaits, timers and callbacks", async () => {
    const contexts = createAsyncLocalStorageContextManager();
    const seen = await contexts.with(span("b7ad6b7169203331"), async () => {
      const atStart = contexts.active()?.spanId;
      await sleep(5);
      const afterAwait = contexts.active()?.spanId;
      const inTimer = await new Promise<string | undefined>((resolve) =>
        setTimeout(() => resolve(contexts.active()?.spanId), 5),
      );
      const inImmediate = await new Promise<string | undefined>((resolve) =>
        setImmediate(() => resolve(contexts.active()?.spanId)),
      );
      return { atStart, afterAwait, inTimer, inImmediate };
    });
    expect(seen).toEqual({
      atStart: "b7ad6b7169203331",
      afterAwait: "b7ad6b7169203331",
      inTimer: "b7ad6b7169203331",
      inImmediate: "b7ad6b7169203331",
    });
    expect(contexts.active()).toBeUndefined();
  });

  it("gives each branch of a Promise.all fan-out its own span", async () => {
    const contexts = createAsyncLocalStorageContextManager();
    const ids = ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"];
    const seen = await contexts.with(span("0000000000000001"), () =>
      Promise.all(
        ids.map((id, i) =>
          contexts.with(span(id), async () => {
            // Finish in reverse order so branches interleave on the event loop.
            await sleep(15 - i * 5);
            const inner = contexts.active()?.spanId;
            await Promise.resolve();
            return [inner, contexts.active()?.spanId];
          }),
        ),
      ).then((branches) => ({ branches, parent: contexts.active()?.spanId })),
    );
    expect(seen.branches).toEqual(ids.map((id) => [id, id]));
    expect(seen.parent).toBe("0000000000000001");
  });

  it("restores the outer span after a nested with() returns or throws", () => {
    const contexts = createAsyncLocalStorageContextManager();
    contexts.with(span("1111111111111111"), () => {
      contexts.with(span("2222222222222222"), () => {
        expect(contexts.active()?.spanId).toBe("2222222222222222");
      });
      expect(() =>
        contexts.with(span("3333333333333333"), () => {
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(contexts.active()?.spanId).toBe("1111111111111111");
      contexts.with(undefined, () => expect(contexts.active()).toBeUndefined());
    });
  });

  it("carries the span into listeners of an emitter fired later from inside the scope", async () => {
    const contexts = createAsyncLocalStorageContextManager();
    const emitter = new EventEmitter();
    const heard = new Promise<string | undefined>((resolve) =>
      emitter.once("done", () => resolve(contexts.active()?.spanId)),
    );
    await contexts.with(span("4444444444444444"), async () => {
      await sleep(1);
      emitter.emit("done");
    });
    expect(await heard).toBe("4444444444444444");
  });
});
