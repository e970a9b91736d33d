import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span } from "@opentelemetry/sdk-trace-base";

/** Which `SpanProcessor` method an adapter failure happened in. */
export type SpanProcessorHook = "onStart" | "onEnd" | "forceFlush" | "shutdown" | "maxOpenSpans";

/** What `onError` is told besides the error. */
export interface SpanProcessorErrorInfo {
  readonly hook: SpanProcessorHook;
  /** The span's name, when the failure concerns one span. */
  readonly spanName?: string;
}

/** Options of `createChaukasSpanProcessor`. Defaults are in `SPAN_PROCESSOR_DEFAULTS`. */
export interface ChaukasSpanProcessorOptions {
  /**
   * Send what goes into models and tools: prompts, system instructions, tool definitions and
   * tool arguments, when the span carries them (most instrumentations record them only when
   * told to). `false` keeps them in the process; names, models, token counts and timings are
   * still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: model responses, tool results, and error messages and stacks (without
   * it an error keeps only its type). `false` keeps them in the process. Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * Spans tracked at once (started, not yet ended). A span started beyond it evicts the oldest
   * open one (counted in `stats().failed`): spans that start under it later, and the span itself
   * when it ends, no longer find its ancestors. This bounds memory when an instrumentation never
   * ends its spans. It also bounds the ended spans held while they wait for an ancestor that
   * says what it is only when it ends (Mastra's spans): beyond it, a span is placed at once.
   * Default: 10 000.
   */
  readonly maxOpenSpans?: number;
  /** Deadline of the client flush that `forceFlush()` and `shutdown()` wait for. Default: 5000. */
  readonly flushTimeoutMs?: number;
  /**
   * Called with each failure of the processor itself (an event the client refused, a span it
   * could not read), after it is counted in `stats().failed`. The spans and the application are
   * never affected; an `onError` that throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, info: SpanProcessorErrorInfo) => void;
}

/** The defaults of `ChaukasSpanProcessorOptions`. */
export const SPAN_PROCESSOR_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  maxOpenSpans: 10_000,
  flushTimeoutMs: 5000,
} as const satisfies Required<Omit<ChaukasSpanProcessorOptions, "onError">>;

/** Counters of `processor.stats()`. */
export interface ChaukasSpanProcessorStats {
  /** GenAI spans turned into events (each span once, whatever its number of events). */
  readonly mappedSpans: number;
  /**
   * The processor's own failures: spans whose events the client refused (it threw), spans
   * evicted by `maxOpenSpans`, and flushes that threw. Each is also passed to `onError`.
   */
  readonly failed: number;
  /** Spans started and not yet ended. */
  readonly openSpans: number;
  /**
   * Ended spans whose events wait for a running ancestor that says what it is only when it ends
   * (Mastra's spans).
   */
  readonly heldSpans: number;
  /** Sessions the processor started for root GenAI spans and has not ended yet. */
  readonly openSessions: number;
}

/**
 * An OpenTelemetry `SpanProcessor` (pass it in the provider's `spanProcessors`), plus the
 * processor's counters.
 */
export interface ChaukasSpanProcessor {
  /** Notes the span's parent and the Chaukas span active now. Never throws. */
  onStart(span: Span, parentContext: Context): void;
  /** Emits a GenAI span's events through the client's queue: no I/O, no await, never a throw. */
  onEnd(span: ReadableSpan): void;
  /** Flushes the client, waiting up to `flushTimeoutMs`. Never rejects. */
  forceFlush(): Promise<void>;
  /** Flushes the client and leaves it open (it is the application's). Never rejects. */
  shutdown(): Promise<void>;
  /** A snapshot of the processor's counters. */
  stats(): ChaukasSpanProcessorStats;
}
