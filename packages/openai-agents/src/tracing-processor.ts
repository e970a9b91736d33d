import { type ChaukasClient, ChaukasValidationError, newSpanId, uuidv7 } from "@chaukas/client";
import type { Span, SpanData, SpanError } from "@openai/agents-core";
import type { ContentCapture } from "./model-call.js";
import { chaukasSpanId, chaukasTraceId } from "./openai-ids.js";
import {
  type ChaukasTracingProcessor,
  type ChaukasTracingProcessorOptions,
  TRACING_PROCESSOR_DEFAULTS,
  type TracingProcessorHook,
} from "./options.js";
import {
  agentStartEvent,
  type EventInit,
  finishedSpanEvents,
  msOf,
  type SpanPlacement,
  sessionEndEvent,
  sessionStartEvent,
  type TraceInfo,
} from "./span-events.js";

/** An open trace: its session, whose root span the trace's top-level spans hang under. */
interface OpenSession {
  readonly root: SpanPlacement;
  readonly startMs: number;
  /** Spans of the trace started and not yet ended. */
  openSpans: number;
}

/**
 * An open span: where its events go, and what its children inherit. Span types without a
 * Chaukas event (task, turn, ...) are transparent: they hand their parent's placement on.
 */
interface OpenSpan {
  readonly place: SpanPlacement;
  readonly session: OpenSession;
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
  if (typeof (chaukas as ChaukasClient | undefined)?.emit !== "function") {
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
 * the matching events on spans that mirror the SDK's (same trace id, span ids from the
 * SDK's). The callbacks only build events and hand them to `chaukas.emit`, synchronously:
 * they never wait on the network and never throw into the SDK; failures are counted in
 * `stats().failed` and passed to `onError`. Bad options throw `ChaukasValidationError`.
 */
export function createChaukasTracingProcessor(
  chaukas: ChaukasClient,
  options: ChaukasTracingProcessorOptions = {},
): ChaukasTracingProcessor {
  const { capture, flushTimeoutMs } = checkOptions(chaukas, options);
  const onError = options.onError;
  const sessions = new Map<string, OpenSession>();
  const spans = new Map<string, OpenSpan>();
  let emitted = 0;
  let failed = 0;

  function report(error: unknown, hook: TracingProcessorHook, spanType?: string): void {
    failed++;
    try {
      onError?.(error, spanType === undefined ? { hook } : { hook, spanType });
    } catch {
      // The user's handler failing must not reach the SDK either.
    }
  }

  /** Emits each event on its own, so one refused event does not lose the others. */
  function send(events: readonly EventInit[], hook: TracingProcessorHook, spanType?: string) {
    for (const init of events) {
      try {
        chaukas.emit(init);
        emitted++;
      } catch (error) {
        report(error, hook, spanType);
      }
    }
  }

  /** Runs a callback's work; whatever it throws is counted, never passed to the SDK. */
  function guard(hook: TracingProcessorHook, span: Span<SpanData> | undefined, work: () => void) {
    try {
      work();
    } catch (error) {
      const type: unknown = span?.spanData?.type;
      report(error, hook, typeof type === "string" ? type : undefined);
    }
  }

  /**
   * The session of an OpenAI trace, started on first sight: normally by `onTraceStart`, but a
   * span may come first (a processor added during a run).
   */
  function sessionOf(trace: TraceInfo) {
    let session = sessions.get(trace.traceId);
    if (session === undefined) {
      const startMs = Date.now();
      const root: SpanPlacement = {
        sessionId: uuidv7(startMs),
        traceId: chaukasTraceId(trace.traceId),
        spanId: newSpanId(),
        parentSpanId: "",
        agentId: "",
        agentName: "",
      };
      session = { root, startMs, openSpans: 0 };
      sessions.set(trace.traceId, session);
      send([sessionStartEvent(root, startMs, trace)], "onTraceStart");
    }
    return session;
  }

  /** Where a span's events go: under its parent span, or under the session at the top. */
  function placeOf(span: Span<SpanData>): OpenSpan {
    const parent = span.parentId === null ? undefined : spans.get(span.parentId);
    const session =
      parent?.session ??
      sessionOf({ traceId: span.traceId, name: "", groupId: null, metadata: span.traceMetadata });
    const above = parent?.place ?? session.root;
    const data = span.spanData;
    if (!MAPPED_TYPES.has(data.type)) return { place: above, session };
    const agent = data.type === "agent" ? data.name : undefined;
    return {
      place: {
        ...above,
        spanId: chaukasSpanId(span.spanId),
        parentSpanId: above.spanId,
        agentId: agent ?? above.agentId,
        agentName: agent ?? above.agentName,
      },
      session,
    };
  }

  function endSession(
    key: string,
    session: OpenSession,
    error: SpanError | null,
    hook: TracingProcessorHook,
  ) {
    if (sessions.get(key) !== session) return;
    sessions.delete(key);
    const nowMs = Date.now();
    send([sessionEndEvent(session.root, nowMs, nowMs - session.startMs, error)], hook);
  }

  /**
   * The SDK (0.20) ends a trace only when its run succeeds: a run that throws never calls
   * `onTraceEnd`. Its task span (the run, at the top of the trace) ends with the error, so
   * when that was the trace's last open span, the session ends there, FAILED. A later run
   * in the same trace (the caller caught the error inside `withTrace`) starts a new session.
   */
  function endSessionOfFailedRun(span: Span<SpanData>, session: OpenSession) {
    if (span.spanData.type === "task" && span.parentId === null && span.error !== null) {
      if (session.openSpans === 0) endSession(span.traceId, session, span.error, "onSpanEnd");
    }
  }

  return {
    async onTraceStart(trace) {
      guard("onTraceStart", undefined, () => {
        sessionOf(trace);
      });
    },

    async onTraceEnd(trace) {
      guard("onTraceEnd", undefined, () => {
        const session = sessions.get(trace.traceId);
        if (session !== undefined) endSession(trace.traceId, session, null, "onTraceEnd");
      });
    },

    async onSpanStart(span) {
      guard("onSpanStart", span, () => {
        const open = placeOf(span);
        spans.set(span.spanId, open);
        open.session.openSpans++;
        if (span.spanData.type === "agent") {
          const atMs = msOf(span.startedAt, Date.now());
          send([agentStartEvent(open.place, atMs)], "onSpanStart", "agent");
        }
      });
    },

    async onSpanEnd(span) {
      guard("onSpanEnd", span, () => {
        const started = spans.get(span.spanId);
        const open = started ?? placeOf(span);
        if (started !== undefined) {
          spans.delete(span.spanId);
          open.session.openSpans--;
        }
        const events = finishedSpanEvents(span, open.place, capture, Date.now());
        send(events, "onSpanEnd", span.spanData.type);
        endSessionOfFailedRun(span, open.session);
      });
    },

    async forceFlush() {
      try {
        await chaukas.flush({ timeoutMs: flushTimeoutMs });
      } catch (error) {
        report(error, "forceFlush");
      }
    },

    // The client belongs to the application (it may carry other events), so shutting the
    // SDK's tracing down flushes it and leaves it open.
    async shutdown(timeout) {
      try {
        await chaukas.flush({ timeoutMs: timeout ?? flushTimeoutMs });
      } catch (error) {
        report(error, "shutdown");
      }
    },

    stats() {
      return { emitted, failed, openTraces: sessions.size, openSpans: spans.size };
    },
  };
}
