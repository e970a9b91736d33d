import { type ChaukasClient, type ChaukasScope, ChaukasValidationError } from "@chaukas/client";
import { createIntegrationGuard } from "@chaukas/client/integration";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { GenAiKind } from "./genai-kind.js";
import { type HeldSpan, HeldSpans, undescribedAncestorOf } from "./held-spans.js";
import { agentStart, type ContentCapture, sessionIdOf } from "./span-content.js";
import { emitSpanEvents, msOf } from "./span-events.js";
import {
  type ChaukasSpanProcessor,
  type ChaukasSpanProcessorOptions,
  SPAN_PROCESSOR_DEFAULTS,
  type SpanProcessorErrorInfo,
} from "./span-processor-options.js";
import {
  kindOf,
  OpenSpans,
  placementOf,
  type SessionAnchor,
  type TrackedSpan,
} from "./span-tree.js";

function checkOptions(chaukas: unknown, options: ChaukasSpanProcessorOptions) {
  if (typeof (chaukas as ChaukasClient | undefined)?.continueSession !== "function") {
    throw new ChaukasValidationError("chaukas", "expected a Chaukas client");
  }
  for (const key of ["recordInputs", "recordOutputs"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "boolean") {
      throw new ChaukasValidationError(key, "expected a boolean");
    }
  }
  const maxOpenSpans = options.maxOpenSpans ?? SPAN_PROCESSOR_DEFAULTS.maxOpenSpans;
  if (!Number.isInteger(maxOpenSpans) || maxOpenSpans < 1) {
    throw new ChaukasValidationError("maxOpenSpans", "expected a positive integer");
  }
  const flushTimeoutMs = options.flushTimeoutMs ?? SPAN_PROCESSOR_DEFAULTS.flushTimeoutMs;
  if (!(typeof flushTimeoutMs === "number" && flushTimeoutMs >= 0)) {
    throw new ChaukasValidationError("flushTimeoutMs", "expected a number >= 0");
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new ChaukasValidationError("onError", "expected a function");
  }
  const capture: ContentCapture = {
    inputs: options.recordInputs ?? SPAN_PROCESSOR_DEFAULTS.recordInputs,
    outputs: options.recordOutputs ?? SPAN_PROCESSOR_DEFAULTS.recordOutputs,
  };
  return { capture, maxOpenSpans, flushTimeoutMs };
}

/**
 * An OpenTelemetry `SpanProcessor` that turns GenAI spans into Chaukas events. Add it to the
 * tracer provider the application already has; it registers nothing global:
 * ```ts
 * const provider = new NodeTracerProvider({ spanProcessors: [createChaukasSpanProcessor(chaukas)] });
 * ```
 * Each GenAI span (the GenAI semantic conventions, the AI SDK's `ai.*` spans, OpenInference)
 * becomes its events when it ends, on the span's own id and at its own start and end times.
 * Spans that are not GenAI have no events, but nesting goes through them: a model call under an
 * HTTP span under an agent span is the agent's child.
 *
 * The session of a tree of GenAI spans is, in this order: the one its spans name
 * (`gen_ai.conversation.id`, `ai.telemetry.metadata.sessionId`, OpenInference's `session.id`),
 * whose events then join it with no SESSION_START or END of theirs (a conversation spans many
 * traces); else the Chaukas span active when the root GenAI span started (`session.run(...)`),
 * under which the tree nests; else a session of the tree's own, started at the root GenAI span's
 * start and ended at its end, on its OpenTelemetry trace id.
 *
 * `onStart` and `onEnd` only read spans and hand events to the client's queue: no I/O, no await,
 * and never a throw into the tracer (failures are counted in `stats().failed` and told to
 * `onError`). `forceFlush()` and `shutdown()` flush the client, and never reject; `shutdown()`
 * leaves the client open, since it is the application's. Bad options throw
 * `ChaukasValidationError`.
 */
export function createChaukasSpanProcessor(
  chaukas: ChaukasClient,
  options: ChaukasSpanProcessorOptions = {},
): ChaukasSpanProcessor {
  const { capture, maxOpenSpans, flushTimeoutMs } = checkOptions(chaukas, options);
  const guard = createIntegrationGuard<SpanProcessorErrorInfo>(options.onError);
  const open = new OpenSpans(maxOpenSpans);
  const held = new HeldSpans(maxOpenSpans);
  let mappedSpans = 0;
  let openSessions = 0;

  /**
   * The session of the tree whose root GenAI span is `root`, decided when the tree first emits
   * (see above); `from` is the span emitting, whose chain is searched for a session id.
   */
  function anchorOf(root: TrackedSpan, from: TrackedSpan): SessionAnchor {
    if (root.anchor !== undefined) return root.anchor;
    const traceId = root.span.spanContext().traceId;
    let named: string | undefined;
    for (let at: TrackedSpan | undefined = from; at && !named; at = at.parent) {
      named = sessionIdOf(at.span.attributes);
    }
    const scope = root.chaukasScope;
    if (named !== undefined) {
      root.anchor = { sessionId: named, traceId, parentSpanId: "" };
    } else if (scope !== undefined) {
      root.anchor = {
        sessionId: scope.sessionId,
        traceId: scope.traceId,
        parentSpanId: scope.spanId,
        agentId: scope.agentId,
        agentName: scope.agentName,
      };
    } else {
      const session = chaukas.startSession({
        traceId,
        startTime: msOf(root.span.startTime),
        metadata: { otel_span_name: root.span.name },
      });
      openSessions++;
      root.anchor = {
        sessionId: session.id,
        traceId: session.traceId,
        parentSpanId: session.spanId,
        session,
      };
    }
    return root.anchor;
  }

  /**
   * The builders that emit under `parentSpanId` in the anchor's session and trace, with the
   * agent given. `continueSession` with `trust` is the client's public way to emit under a span
   * whose START is not ours to emit now: the parent's events come when the parent ends, after
   * its children's (spans end children first).
   */
  function scopeUnder(
    anchor: SessionAnchor,
    parentSpanId: string,
    agent: { agentId?: string | undefined; agentName?: string | undefined },
  ): ChaukasScope {
    return chaukas.continueSession(
      { traceId: anchor.traceId, spanId: parentSpanId, flags: 1, sessionId: anchor.sessionId },
      {
        trust: true,
        ...(agent.agentId ? { agentId: agent.agentId } : {}),
        ...(agent.agentName ? { agentName: agent.agentName } : {}),
      },
    );
  }

  function emitEvents(tracked: TrackedSpan, span: ReadableSpan, kind: GenAiKind): void {
    // A `call` span has events only when it failed; it does not start a session for nothing.
    if (kind === "call" && span.status.code !== 2) return;
    const { root, parent, agent } = placementOf(tracked);
    const anchor = anchorOf(root, tracked);
    const agentFields = agent
      ? agentStart(agent.span.name, agent.span.attributes)
      : { agentId: anchor.agentId, agentName: anchor.agentName };
    const parentSpanId = parent ? parent.span.spanContext().spanId : anchor.parentSpanId;
    emitSpanEvents(scopeUnder(anchor, parentSpanId, agentFields), span, kind, capture);
    mappedSpans++;
  }

  /** Ends the session the processor started for `root`, as the root span ended. */
  function endSession(root: TrackedSpan, span: ReadableSpan): void {
    const session = root.anchor?.session;
    if (session === undefined || session.ended) return;
    openSessions--;
    const endTime = msOf(span.endTime);
    if (span.status.code === 2) {
      session.fail({ message: "the root span failed" }, { endTime });
    } else {
      session.end({ endTime });
    }
  }

  /**
   * Emits an ended GenAI span's events, and ends the session the processor started for it if it
   * is its tree's root. A failure is the span's own: the spans after it are still placed.
   */
  function placeSpan({ tracked, span, kind }: HeldSpan): void {
    guard.run({ hook: "onEnd", spanName: span.name }, undefined, () => {
      try {
        emitEvents(tracked, span, kind);
      } finally {
        if (placementOf(tracked).root === tracked) endSession(tracked, span);
      }
    });
  }

  const processor: ChaukasSpanProcessor = {
    onStart(span: Span): void {
      guard.run({ hook: "onStart", spanName: span.name }, undefined, () => {
        const tracked: TrackedSpan = {
          span,
          parent: open.get(span.parentSpanContext?.spanId),
          chaukasScope: chaukas.current(),
          anchor: undefined,
        };
        const evicted = open.start(span.spanContext().spanId, tracked);
        if (evicted !== undefined) {
          guard.report(
            new Error(
              `maxOpenSpans (${maxOpenSpans}) spans were open: stopped tracking the oldest`,
            ),
            { hook: "maxOpenSpans", spanName: evicted.span.name },
          );
        }
      });
    },

    onEnd(span: ReadableSpan): void {
      guard.run({ hook: "onEnd", spanName: span.name }, undefined, () => {
        const spanId = span.spanContext().spanId;
        // A span that started before the processor was added, or was evicted: placed from its
        // parent, if that one is tracked.
        const tracked = open.end(spanId) ?? {
          span,
          parent: open.get(span.parentSpanContext?.spanId),
          chaukasScope: undefined,
          anchor: undefined,
        };
        const kind = kindOf({ span });
        // A span that waits for an ancestor to say what it is (see held-spans.ts); beyond the
        // limit, it is placed now, with what its ancestors say so far.
        const ancestor = kind === undefined ? undefined : undescribedAncestorOf(tracked);
        if (
          kind !== undefined &&
          ancestor !== undefined &&
          held.hold(ancestor.span.spanContext().spanId, { tracked, span, kind })
        ) {
          return;
        }
        // This span now says what it is: the descendants that waited for it are placed first,
        // children before parents, as spans end.
        for (const waiting of held.release(spanId)) placeSpan(waiting);
        if (kind !== undefined) placeSpan({ tracked, span, kind });
      });
    },

    async forceFlush(): Promise<void> {
      try {
        await chaukas.flush({ timeoutMs: flushTimeoutMs });
      } catch (error) {
        guard.report(error, { hook: "forceFlush" });
      }
    },

    // The client belongs to the application (it may carry other events), so shutting the
    // provider down flushes it and leaves it open. Spans still waiting for an ancestor that
    // never ended are placed first, with what their ancestors say so far.
    async shutdown(): Promise<void> {
      for (const waiting of held.releaseAll()) placeSpan(waiting);
      try {
        await chaukas.flush({ timeoutMs: flushTimeoutMs });
      } catch (error) {
        guard.report(error, { hook: "shutdown" });
      }
    },

    stats: () => ({
      mappedSpans,
      failed: guard.failed,
      openSpans: open.size,
      heldSpans: held.size,
      openSessions,
    }),
  };
  return processor satisfies SpanProcessor;
}
