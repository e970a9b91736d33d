// The default context manager: a stack of active spans that holds across synchronous calls only.

import type { ContextManager, SpanContext } from "./context-manager.js";

/**
 * The default context manager: a stack of synchronous scopes. `with(ctx, fn)` makes `ctx`
 * active while `fn` runs synchronously; across an `await` the context is not kept (no
 * runtime-independent way exists), so async code should call builders on the handles
 * themselves (`session.toolCallStart(...)`), or use `@chaukas/transport-node`'s
 * AsyncLocalStorage manager. When `fn` returns a promise, the scope ends at the first await.
 */
export function createStackContextManager(): ContextManager {
  const stack: (SpanContext | undefined)[] = [];
  return {
    active() {
      return stack.at(-1);
    },
    with(context, fn) {
      stack.push(context);
      try {
        return fn();
      } finally {
        stack.pop();
      }
    },
  };
}
