/**
 * Where a top-level LangChain run goes: into the caller's Chaukas scope when one is active,
 * into the session named by `metadata.chaukas_session_id`, else into a session of its own.
 */

import type { ChaukasClient, SpanScope } from "@chaukas/client";
import { newTraceId } from "@chaukas/client/integration";
import { traceIdOfRun } from "./run-ids.js";
import type { Root } from "./run-tree.js";

/** The run metadata key that joins a run to an existing Chaukas session (as Langfuse's `langfuseSessionId`). */
export const SESSION_ID_METADATA_KEY = "chaukas_session_id";

/** W3C trace flags of a continued scope: sampled. */
const SAMPLED = 1;

/** What the handler was given: the client, or a scope (a session or agent handle) to nest in. */
export type ChaukasTarget = ChaukasClient | SpanScope;

function isClient(target: ChaukasTarget): target is ChaukasClient {
  return typeof (target as Partial<ChaukasClient>).startSession === "function";
}

/** What a root's session records of the run that opened it. */
export interface RootRunInfo {
  readonly runId: string;
  readonly runName: string | undefined;
  readonly metadata: Record<string, unknown> | undefined;
  readonly startMs: number;
  readonly tags: readonly string[];
}

/**
 * The root of a run with no recorded parent:
 * - the handler was given a scope: that scope (it is the caller's: never ended here);
 * - a Chaukas scope is active (`session.run(...)`, a continued session): that scope continued,
 *   so everything nests under the active span (unless `chaukas_session_id` names another
 *   session);
 * - `metadata.chaukas_session_id`: that session joined, as `continueSession` adopts a trusted
 *   caller's (the id comes from the app's own run config): events carry its id, on a trace of
 *   the run's own, and no SESSION_START or SESSION_END is emitted (the session is someone
 *   else's to start and end);
 * - else a new session on a trace whose id is the root run's.
 */
export function openRoot(target: ChaukasTarget, run: RootRunInfo): Root {
  const interrupts = new Set<string>();
  if (!isClient(target))
    return { runId: run.runId, scope: target, session: undefined, interrupts, paused: false };
  const joinId = run.metadata?.[SESSION_ID_METADATA_KEY];
  const join = typeof joinId === "string" && joinId !== "" ? joinId : undefined;
  const active = target.current();
  const traceId = traceIdOfRun(run.runId);
  if (active !== undefined && (join === undefined || join === active.sessionId)) {
    const session = target.continueSession(
      {
        traceId: active.traceId,
        spanId: active.spanId,
        flags: SAMPLED,
        sessionId: active.sessionId,
      },
      {
        trust: true,
        ...(active.agentId ? { agentId: active.agentId } : {}),
        ...(active.agentName ? { agentName: active.agentName } : {}),
      },
    );
    return { runId: run.runId, scope: session, session, interrupts, paused: false };
  }
  if (join !== undefined) {
    // No parent span: the joined session's root span is not known here, and a made-up one
    // would point at an event that does not exist. An empty parent marks the trace's root.
    const session = target.continueSession(
      { traceId: traceId ?? newTraceId(), spanId: "", flags: SAMPLED, sessionId: join },
      { trust: true },
    );
    return { runId: run.runId, scope: session, session, interrupts, paused: false };
  }
  const threadId = run.metadata?.thread_id;
  const session = target.startSession({
    ...(traceId === undefined ? {} : { traceId }),
    startTime: run.startMs,
    ...(run.tags.length > 0 ? { tags: run.tags } : {}),
    metadata: {
      langchain_run_id: run.runId,
      ...(run.runName ? { langchain_run_name: run.runName } : {}),
      ...(typeof threadId === "string" || typeof threadId === "number"
        ? { langgraph_thread_id: threadId }
        : {}),
    },
  });
  return { runId: run.runId, scope: session, session, interrupts, paused: false };
}

/** The scope the handler flushes on `shutdown()`: the client's, when it was given the client. */
export function clientOf(target: ChaukasTarget): ChaukasClient | undefined {
  return isClient(target) ? target : undefined;
}
