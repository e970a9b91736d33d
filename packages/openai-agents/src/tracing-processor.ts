import {
  type AgentHandle,
  type ChaukasClient,
  ChaukasValidationError,
  type SessionHandle,
  type SpanScope,
} from "@chaukas/client";
import { createIntegrationGuard, pendingSpanScope } from "@chaukas/client/integration";
import type { AgentSpanData, Span, SpanData, SpanError } from "@openai/agents-core";
import type { ContentCapture } from "./model-call.js";
import { chaukasSpanId, chaukasTraceId } from "./openai-ids.js";
import {
  type ChaukasTracingProcessor,
  type ChaukasTracingProcessorOptions,
  TRACING_PROCESSOR_DEFAULTS,
  type TracingProcessorErrorInfo,
  type TracingProcessorHook,
} from "./options.js";
import {
  agentStartOptions,
  emitFinishedSpan,
  endAgent,
  endTransparentSpan,
  sessionOptions,
  type TraceInfo,
} from "./span-events.js";

/** An open trace: its session, whose span the trace's top-level spans hang under. */
interface OpenSession {
  readonly handle: SessionHandle;
  /** Spans of the trace started and not yet ended. */
  openSpans: number;
}

/**
 * An open span: the scope its events are built through, and what its children are built
 * through. Span types without events of their own (task, turn, ...) are transparent: their
 * children are built through their parent's scope.
 */
interface OpenSpan {
  readonly session: OpenSession;
  /** The scope of the nearest mapped ancestor (the session's at the top). */
  readonly parent: SpanScope;
  /** The Chaukas span id of a mapped span (from the SDK's); `undefined` when transparent. */
  readonly spanId: string | undefined;
  /** An agent span's handle: AGENT_START is sent when the SDK span starts. */
  readonly agent: AgentHandle | undefined;
  /**
   * The scope under a span whose START is sent when it ends (model, tool, MCP, ...), made
   * when a child first needs it (an agent run as a tool).
   */
  pending: SpanScope | undefined;
}

/**
 * The span types that have Chaukas events. The others (task, turn, speech, transcription,
 * and types a newer SDK may add) are transparent rather than guessed at.
 */
const MAPPED_TYPES: ReadonlySet<string> = new Set([
  "agent",
  "generation",
  "response",
  "function",
  "mcp_tools",
  "handoff",
  "guardrail",
  "custom",
]);

function checkOptions(chaukas: unknown, options: ChaukasTracingProcessorOptions) {
  if (typeof (chaukas as ChaukasClient | undefined)?.startSession !== "function") {
    throw new ChaukasValidationError("chaukas", "expected a Chaukas client");
  }
  const defaults = TRACING_PROCESSOR_DEFAULTS;
  for (const key of ["recordInputs", "recordOutputs"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new ChaukasValidationError(key, "expected a boolean");
    }
  }
  if (
    options.provider !== undefined &&
    (typeof options.provider !== "string" || options.provider === "")
  ) {
    throw new ChaukasValidationError("provider", "expected a non-empty string");
  }
  const timeout = options.flushTimeoutMs;
  if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0)) {
    throw new ChaukasValidationError("flushTimeoutMs", "expected a number >= 0");
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new ChaukasValidationError("onError", "expected a function");
  }
  return {
    capture: {
      inputs: options.recordInputs ?? defaults.recordInputs,
      outputs: options.recordOutputs ?? defaults.recordOutputs,
      provider: options.provider ?? defaults.provider,
    } satisfies ContentCapture,
    flushTimeoutMs: timeout ?? defaults.flushTimeoutMs,
  };
}

/**
 * A `TracingProcessor` for the OpenAI Agents SDK that sends every run to Chaukas:
 * `addTraceProcessor(createChaukasTracingProcessor(chaukas))`, or `setTraceProcessors([...])`
 * to replace OpenAI's exporter.
 *
 * A trace is a session; agent, model, tool, MCP, handoff, guardrail and custom spans become
 * the matching events, built with the client's builders on spans that mirror the SDK's (same
 * trace id, span ids and times from the SDK's). The callbacks only call builders, which queue
 * synchronously: they never wait on the network and never throw into the SDK; failures are
 * counted in `stats().failed` and passed to `onError`. Bad options throw `ChaukasValidationError`.
 */
export function createChaukasTracingProcessor(
  chaukas: ChaukasClient,
  options: ChaukasTracingProcessorOptions = {},
): ChaukasTracingProcessor {
  const { capture, flushTimeoutMs } = checkOptions(chaukas, options);
  const guard = createIntegrationGuard<TracingProcessorErrorInfo>(options.onError);
  const sessions = new Map<string, OpenSession>();
  const spans = new Map<string, OpenSpan>();

  /** Where a failure in a callback about `span` happened, for `onError`. */
  function at(hook: TracingProcessorHook, span?: Span<SpanData>): TracingProcessorErrorInfo {
    const type: unknown = span?.spanData?.type;
    return typeof type === "string" ? { hook, spanType: type } : { hook };
  }

  /**
   * The session of an OpenAI trace, started on first sight: normally by `onTraceStart`, but a
   * span may come first (a processor added during a run).
   */
  function sessionOf(trace: TraceInfo): OpenSession {
    let session = sessions.get(trace.traceId);
    if (session === undefined) {
      const handle = chaukas.startSession(sessionOptions(trace, chaukasTraceId(trace.traceId)));
      session = { handle, openSpans: 0 };
      sessions.set(trace.traceId, session);
    }
    return session;
  }

  /** The scope a span's children are built through. */
  function childScopeOf(open: OpenSpan): SpanScope {
    if (open.agent !== undefined) return open.agent;
    if (open.spanId === undefined) return open.parent;
    open.pending ??= pendingSpanScope(chaukas, open.parent, open.spanId);
    return open.pending;
  }

  /**
   * A span placed under its parent span, or under the session at the top (or when its parent
   * was missed); an agent span's AGENT_START is sent here, at the SDK span's start time.
   */
  function openSpan(span: Span<SpanData>): OpenSpan {
    const above = span.parentId === null ? undefined : spans.get(span.parentId);
    const session =
      above?.session ??
      sessionOf({ traceId: span.traceId, name: "", groupId: null, metadata: span.traceMetadata });
    const parent = above === undefined ? session.handle : childScopeOf(above);
    const type = span.spanData.type;
    const spanId = MAPPED_TYPES.has(type) ? chaukasSpanId(span.spanId) : undefined;
    const agent =
      type === "agent" && spanId !== undefined
        ? parent.agentStart(agentStartOptions(span as Span<AgentSpanData>, spanId))
        : undefined;
    return { session, parent, spanId, agent, pending: undefined };
  }

  /** The events of a span that has ended, through the scopes it was placed in. */
  function endSpan(span: Span<SpanData>, open: OpenSpan): void {
    if (open.agent !== undefined) {
      endAgent(open.agent, span as Span<AgentSpanData>, capture);
    } else if (open.spanId === undefined) {
      endTransparentSpan(open.parent, span, capture);
    } else {
      const own = () => childScopeOf(open);
      emitFinishedSpan(span, { parent: open.parent, spanId: open.spanId, own }, capture);
    }
  }

  function endSession(key: string, session: OpenSession, error: SpanError | null) {
    if (sessions.get(key) !== session) return;
    sessions.delete(key);
    if (error === null) session.handle.end();
    else session.handle.fail(error);
  }

  /**
   * The SDK (0.20) ends a trace only when its run succeeds: a run that throws never calls
   * `onTraceEnd`. Its task span (the run, at the top of the trace) ends with the error, so
   * when that was the trace's last open span, the session ends there, FAILED. A later run
   * in the same trace (the caller caught the error inside `withTrace`) starts a new session.
   */
  function endSessionOfFailedRun(span: Span<SpanData>, session: OpenSession) {
    if (span.spanData.type === "task" && span.parentId === null && span.error !== null) {
      if (session.openSpans === 0) endSession(span.traceId, session, span.error);
    }
  }

  return {
    async onTraceStart(trace) {
      guard.run(at("onTraceStart"), undefined, () => {
        sessionOf(trace);
      });
    },

    async onTraceEnd(trace) {
      guard.run(at("onTraceEnd"), undefined, () => {
        const session = sessions.get(trace.traceId);
        if (session !== undefined) endSession(trace.traceId, session, null);
      });
    },

    async onSpanStart(span) {
      guard.run(at("onSpanStart", span), undefined, () => {
        const open = openSpan(span);
        spans.set(span.spanId, open);
        open.session.openSpans++;
      });
    },

    async onSpanEnd(span) {
      const open = guard.run(at("onSpanEnd", span), undefined, () => {
        const started = spans.get(span.spanId);
        if (started === undefined) return openSpan(span);
        spans.delete(span.spanId);
        started.session.openSpans--;
        return started;
      });
      if (open === undefined) return;
      // Apart, so that a span whose events fail still ends the session of a failed run.
      guard.run(at("onSpanEnd", span), undefined, () => endSpan(span, open));
      guard.run(at("onSpanEnd", span), undefined, () => endSessionOfFailedRun(span, open.session));
    },

    async forceFlush() {
      try {
        await chaukas.flush({ timeoutMs: flushTimeoutMs });
      } catch (error) {
        guard.report(error, at("forceFlush"));
      }
    },

    // The client belongs to the application (it may carry other events), so shutting the
    // SDK's tracing down flushes it and leaves it open.
    async shutdown(timeout) {
      try {
        await chaukas.flush({ timeoutMs: timeout ?? flushTimeoutMs });
      } catch (error) {
        guard.report(error, at("shutdown"));
      }
    },

    stats() {
      return { failed: guard.failed, openTraces: sessions.size, openSpans: spans.size };
    },
  };
}
