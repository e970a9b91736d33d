import { AsyncLocalStorage } from "node:async_hooks";
import type { ContextManager, SpanContext } from "@chaukas/client";

/**
 * A `ContextManager` on Node's `AsyncLocalStorage`: the span made active by `scope.run(fn)`
 * stays active in everything `fn` starts — awaits, timers, promise fan-out, event emitters
 * created inside — without passing handles around.
 */
export function createAsyncLocalStorageContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<SpanContext | undefined>();
  return {
    active: () => storage.getStore(),
    with: (context, fn) => storage.run(context, fn),
  };
}
