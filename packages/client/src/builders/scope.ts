/**
 * The scopes the client hands out: its own builders (under the active span), a new session,
 * and a session continued from a remote caller.
 */

import type { RemoteContext } from "../propagation/remote-context.js";
import type { SessionOptions } from "./builder-types.js";
import { checkTraceId } from "./caller-ids.js";
import { optionalState } from "./content-messages.js";
import type { SpanContext } from "./context-manager.js";
import { newTraceId, uuidv7 } from "./ids.js";
import { requireString } from "./input-checks.js";
import { scopeMethods } from "./scope-methods.js";
import { childContext, type ScopeRuntime } from "./scope-runtime.js";
import type { ChaukasScope, ContinuedSessionHandle, SessionHandle } from "./scope-types.js";
import { remoteSpan, startSpan, startTimeOf } from "./span-handle.js";
import { SPAN_KINDS } from "./span-kinds.js";

/**
 * The builders, resolving their parent with `getContext` on every call: the client's own
 * builders, under the context manager's active span. Made once per client.
 */
export function createScope(
  runtime: ScopeRuntime,
  getContext: () => SpanContext | undefined,
): ChaukasScope {
  return scopeMethods(runtime, getContext);
}

/**
 * Starts a session: a new trace (or the caller's: `options.traceId`, else the `remote` one
 * from a `traceparent`) whose root span is the session. Exported for the client; users call
 * `chaukas.startSession`.
 */
export function startSessionSpan(
  runtime: ScopeRuntime,
  options: SessionOptions | undefined,
  remote: { readonly traceId: string; readonly parentId: string } | undefined,
): SessionHandle {
  const id = requireString(options?.sessionId ?? uuidv7(), "session_id");
  const traceId = options?.traceId === undefined ? remote?.traceId : checkTraceId(options.traceId);
  // The caller's span is the session's parent only in the caller's own trace.
  const parentSpanId = traceId !== undefined && traceId === remote?.traceId ? remote.parentId : "";
  const root: SpanContext = {
    sessionId: id,
    traceId: traceId ?? newTraceId(),
    spanId: parentSpanId,
  };
  const context = childContext(root, options?.spanId, options?.agentId, options?.agentName);
  const handle = startSpan(
    runtime,
    parentSpanId === "" ? { ...context, parentSpanId: undefined } : context,
    SPAN_KINDS.session,
    optionalState(options?.state),
    options,
    startTimeOf(options),
  );
  return Object.assign(handle, { id });
}

/** Options of `chaukas.continueSession(remote, options)`. */
export interface ContinueSessionOptions extends SessionOptions {
  /**
   * Whether to adopt the caller's session id: `true`, or a predicate over the remote context.
   * Adopt only for callers you authenticate (your own page, your own services): otherwise any
   * caller could write into any session. A predicate that throws counts as `false`.
   * Default: false (a session of this side's own on the caller's trace; the caller's session id
   * is recorded in its SESSION_START metadata as `caller_session_id`).
   */
  readonly trust?: boolean | ((remote: RemoteContext) => boolean) | undefined;
}

/** The SESSION_START metadata key of an untrusted caller's session id. */
export const CALLER_SESSION_ID_KEY = "caller_session_id";

/**
 * Continues a remote caller's context (see `ContinuedSessionHandle`). Without a remote context,
 * a new session of this side's own.
 */
export function continueSessionSpan(
  runtime: ScopeRuntime,
  remote: RemoteContext | undefined,
  options: ContinueSessionOptions = {},
): ContinuedSessionHandle {
  const { trust, ...sessionOptions } = options;
  const callerSession = remote?.sessionId;
  if (remote !== undefined && callerSession !== undefined && trusts(trust, remote)) {
    const context: SpanContext = {
      sessionId: callerSession,
      traceId: remote.traceId,
      spanId: remote.spanId,
      agentId: options.agentId,
      agentName: options.agentName,
    };
    return Object.assign(remoteSpan(runtime, context), { id: callerSession, adopted: true });
  }
  const metadata =
    callerSession === undefined
      ? sessionOptions.metadata
      : { [CALLER_SESSION_ID_KEY]: callerSession, ...sessionOptions.metadata };
  const session = startSessionSpan(
    runtime,
    metadata === undefined ? sessionOptions : { ...sessionOptions, metadata },
    remote && { traceId: remote.traceId, parentId: remote.spanId },
  );
  return Object.assign(session, { adopted: false });
}

function trusts(trust: ContinueSessionOptions["trust"], remote: RemoteContext): boolean {
  if (typeof trust !== "function") return trust === true;
  try {
    return trust(remote) === true;
  } catch {
    return false;
  }
}
