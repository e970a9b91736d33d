import type { ChaukasClient } from "@chaukas/client";
import { type ContentCapture, createIntegrationGuard } from "@chaukas/client/integration";
import { CHAUKAS_QUERY_DEFAULTS, type ChaukasQueryOptions } from "./options.js";
import { QueryRecorder } from "./query-recorder.js";

/** The hooks whose inputs are recorded (see the README's mapping). */
const RECORDED_HOOKS = [
  "UserPromptSubmit",
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "SubagentStart",
  "SubagentStop",
  "PermissionRequest",
  "PermissionDenied",
] as const;

/** What `query()` is called with, as far as the integration reads it. */
interface QueryParams {
  readonly prompt: unknown;
  readonly options?: { readonly hooks?: Readonly<Record<string, readonly unknown[] | undefined>> };
}

/** What `query()` returns, as far as the integration reads it. */
interface QueryLike {
  next(...args: unknown[]): Promise<IteratorResult<unknown>>;
  return(value?: unknown): Promise<IteratorResult<unknown>>;
  throw(error?: unknown): Promise<IteratorResult<unknown>>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

/**
 * `query` of `@anthropic-ai/claude-agent-sdk`, recording each query into Chaukas:
 * ```ts
 * const query = wrapQuery(sdkQuery, chaukas);
 * for await (const message of query({ prompt, options })) { ... }
 * ```
 * Each query is a session whose id is the SDK's session id: SESSION_START at its `system:init`
 * message, a model invocation per assistant message, TOOL_CALL (MCP_CALL for `mcp__` tools),
 * AGENT (subagents), INPUT_RECEIVED and POLICY_DECISION from hooks the wrapper adds after the
 * app's own, RETRY per `api_retry` message, and SESSION_END with the result's cost and usage.
 * The query, its messages and its methods are the SDK's own; the integration's failures are
 * counted and told to `options.onError`, never thrown into the app.
 */
export function wrapQuery<Query extends (params: never) => unknown>(
  query: Query,
  chaukas: ChaukasClient,
  options: ChaukasQueryOptions = {},
): Query {
  const capture: ContentCapture = {
    inputs: options.recordInputs ?? CHAUKAS_QUERY_DEFAULTS.recordInputs,
    outputs: options.recordOutputs ?? CHAUKAS_QUERY_DEFAULTS.recordOutputs,
  };
  const agentId = options.agentId ?? CHAUKAS_QUERY_DEFAULTS.agentId;
  const guard = createIntegrationGuard<string>(options.onError);
  const recordedQuery = function (this: unknown, params: QueryParams) {
    const call = query as unknown as (this: unknown, params: QueryParams) => unknown;
    const recorder = guard.run("query", undefined, () => {
      return new QueryRecorder({ chaukas, capture, agentId, guard });
    });
    if (recorder === undefined) return call.call(this, params);
    const sent = guard.run("hooks", params, () => withHooks(params, recorder));
    const result = call.call(this, sent);
    guard.run("query", undefined, () => observeMessages(result as QueryLike, recorder));
    return result;
  };
  return recordedQuery as unknown as Query;
}

/** The app's params with a hook of the recorder's after the app's own, for each recorded event. */
function withHooks(params: QueryParams, recorder: QueryRecorder): QueryParams {
  const record = async (input: unknown) => {
    recorder.hook(input);
    // No decision: the query goes on as the app's own hooks decide.
    return {};
  };
  const hooks: Record<string, readonly unknown[] | undefined> = { ...params.options?.hooks };
  for (const event of RECORDED_HOOKS) {
    hooks[event] = [...(hooks[event] ?? []), { hooks: [record] }];
  }
  return { ...params, options: { ...params.options, hooks } };
}

/**
 * Observes the query's messages however the app reads them (`for await`, `next()`): both read
 * one source, which the query's `[Symbol.asyncIterator]()` returns. `return()` and `throw()` are
 * the query's own (they also stop its process), told to the recorder first.
 */
function observeMessages(query: QueryLike, recorder: QueryRecorder): void {
  const source = query[Symbol.asyncIterator]();
  const observed = observedMessages(source, recorder);
  const { return: close, throw: fail } = query;
  Object.defineProperties(query, {
    next: {
      value: (...args: unknown[]) => observed.next(...(args as [])),
      configurable: true,
      writable: true,
    },
    [Symbol.asyncIterator]: { value: () => observed, configurable: true, writable: true },
    return: {
      value(this: unknown, value?: unknown) {
        recorder.ended(undefined, true);
        return close.call(this, value);
      },
      configurable: true,
      writable: true,
    },
    throw: {
      value(this: unknown, error?: unknown) {
        recorder.ended(error);
        return fail.call(this, error);
      },
      configurable: true,
      writable: true,
    },
  });
}

async function* observedMessages(
  source: AsyncIterator<unknown>,
  recorder: QueryRecorder,
): AsyncGenerator<unknown, unknown, undefined> {
  let settled = false;
  try {
    while (true) {
      const next = await source.next();
      if (next.done) {
        settled = true;
        recorder.ended();
        return next.value;
      }
      recorder.message(next.value);
      yield next.value;
    }
  } catch (error) {
    settled = true;
    recorder.ended(error);
    throw error;
  } finally {
    if (!settled) {
      recorder.ended(undefined, true);
      await source.return?.();
    }
  }
}
