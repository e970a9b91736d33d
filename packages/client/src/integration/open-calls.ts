/**
 * The bound every integration keeps on the calls it follows. A call is open from its start until
 * the framework tells how it ended; an app can leave one open for good (a promise it never
 * awaits, a stream it never reads or closes), and each open call holds its span and what was
 * recorded so far. Beyond `maxOpenCalls`, the oldest open call is evicted: it ends failed with
 * `EVICTED_CALL` and is reported (counted as the integration's failure, told to its `onError`
 * with "maxOpenCalls"), so memory stays bounded and the loss is visible.
 */

import type { ErrorInit } from "../builders/builder-types.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import type { IntegrationGuard } from "./integration-guard.js";

/** Defaults of the integrations' `maxOpenCalls` option. */
export const OPEN_CALLS_DEFAULTS = {
  maxOpenCalls: 1000,
} as const;

/** What an evicted call's open spans fail with. */
export const EVICTED_CALL: ErrorInit = Object.freeze({
  message: "call evicted: maxOpenCalls calls were open",
  code: "evicted",
});

/** Open calls by key, oldest first (made by `createOpenCalls`). */
export interface OpenCalls<Key, Call> {
  /** The open call `key`, if any. */
  get(key: Key): Call | undefined;
  /** Opens `call` as `key`; when `maxOpenCalls` are already open, the oldest is evicted first. */
  open(key: Key, call: Call): void;
  /** Closes `key` (it ended); returns its call, if it was open. */
  close(key: Key): Call | undefined;
  /** Calls open now. */
  readonly size: number;
}

/**
 * An `OpenCalls` holding at most `maxOpenCalls` (the option as the user gave it: `undefined` is
 * the default; else a positive integer, or `ChaukasValidationError` naming "maxOpenCalls").
 * `evict` ends an evicted call (its spans failed with `EVICTED_CALL`); it runs under `guard`,
 * which then reports the eviction with `describe(call)` in its message.
 */
export function createOpenCalls<Key, Call>(
  maxOpenCalls: number | undefined,
  guard: IntegrationGuard<string>,
  evict: (call: Call) => void,
  describe: (call: Call) => string,
): OpenCalls<Key, Call> {
  const max = maxOpenCalls ?? OPEN_CALLS_DEFAULTS.maxOpenCalls;
  if (!Number.isInteger(max) || max < 1) {
    throw new ChaukasValidationError("maxOpenCalls", "expected a positive integer");
  }
  const calls = new Map<Key, Call>();
  const evictOldest = () => {
    const oldest = calls.entries().next().value;
    if (oldest === undefined) return;
    const [key, call] = oldest;
    calls.delete(key);
    guard.run("maxOpenCalls", undefined, () => evict(call));
    guard.report(new Error(`${EVICTED_CALL.message} (${describe(call)})`), "maxOpenCalls");
  };
  return {
    get: (key) => calls.get(key),
    open(key, call) {
      if (!calls.has(key) && calls.size >= max) evictOldest();
      calls.set(key, call);
    },
    close(key) {
      const call = calls.get(key);
      calls.delete(key);
      return call;
    },
    get size() {
      return calls.size;
    },
  };
}
