import type { FlushResult } from "@chaukas/client";
import type { FlushableClient } from "./flushable-client.js";

/**
 * The part of an edge runtime's request context that keeps work alive after the response:
 * Cloudflare's `ExecutionContext`, Vercel's and Netlify's `context`, a service worker's
 * `FetchEvent`.
 */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Hands `client.flush()` to the runtime's `waitUntil`, so the response is not delayed and the
 * runtime does not freeze the isolate before the events are sent. Returns the flush promise
 * (it never rejects) for callers that also want to observe it.
 */
export function flushOnWaitUntil(
  client: FlushableClient,
  context: WaitUntilContext,
): Promise<FlushResult> {
  const flushed = client.flush();
  context.waitUntil(flushed);
  return flushed;
}

/**
 * Wraps a fetch handler so every request ends with a flush: handed to `waitUntil` when one of
 * the handler's arguments has it (Cloudflare `(request, env, ctx)`, Vercel/Netlify
 * `(request, context)`), otherwise awaited before the response is returned (Deno, Bun: a
 * process may stop between requests, so nothing is left queued). The flush runs whether the
 * handler returned or threw.
 */
export function withChaukas<Args extends unknown[], Result>(
  client: FlushableClient,
  handler: (...args: Args) => Result | Promise<Result>,
): (...args: Args) => Promise<Result> {
  const wrapped = async (...args: Args) => {
    const context = args.find(hasWaitUntil);
    try {
      return await handler(...args);
    } finally {
      if (context !== undefined) {
        flushOnWaitUntil(client, context);
      } else {
        await client.flush();
      }
    }
  };
  // Deno.serve passes no Request to a handler declaring no parameters (a fast path keyed on
  // `length`), so the wrapper must declare as many as the handler does.
  Object.defineProperty(wrapped, "length", { value: handler.length });
  return wrapped;
}

function hasWaitUntil(value: unknown): value is WaitUntilContext {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { waitUntil?: unknown }).waitUntil === "function"
  );
}
