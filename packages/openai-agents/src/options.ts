import type { TracingProcessor } from "@openai/agents-core";

/** Which framework callback an adapter failure happened in. */
export type TracingProcessorHook =
  | "onTraceStart"
  | "onTraceEnd"
  | "onSpanStart"
  | "onSpanEnd"
  | "forceFlush"
  | "shutdown";

/** What `onError` is told besides the error. */
export interface TracingProcessorErrorInfo {
  readonly hook: TracingProcessorHook;
  /** The span's type (`"function"`, `"generation"`, ...) when the failure concerns a span. */
  readonly spanType?: string;
}

/** Options of `createChaukasTracingProcessor`. */
export interface ChaukasTracingProcessorOptions {
  /**
   * Send what goes into models and tools: prompts (`llm_invocation.request`), tool and MCP
   * arguments, and the data of `custom` spans. `false` keeps them in the process; names,
   * models, token counts and timings are still sent. Default: true.
   */
  readonly recordInputs?: boolean;
  /**
   * Send what comes out: model responses, tool and MCP results, and the details attached to
   * span errors. `false` keeps them in the process. Default: true.
   */
  readonly recordOutputs?: boolean;
  /**
   * `llm_invocation.provider` of `generation` spans, which do not name one (`response` spans
   * are OpenAI's Responses API and always say "openai"). Default: "openai".
   */
  readonly provider?: string;
  /** Deadline of the client flush that `forceFlush()` and `shutdown()` wait for. Default: 5000. */
  readonly flushTimeoutMs?: number;
  /**
   * Called with each failure of the adapter itself (an event the client refused, a span it
   * could not read), after it is counted in `stats().failed`. The agent run is never
   * affected; an `onError` that throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, info: TracingProcessorErrorInfo) => void;
}

/** The defaults of `ChaukasTracingProcessorOptions`. */
export const TRACING_PROCESSOR_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  provider: "openai",
  flushTimeoutMs: 5000,
} as const satisfies Required<Omit<ChaukasTracingProcessorOptions, "onError">>;

/**
 * Counters of `processor.stats()`: the adapter's own health. The events it sends are counted
 * by the client's `chaukas.stats()`, with everything else the client sends.
 */
export interface ChaukasTracingProcessorStats {
  /**
   * The adapter's own failures: an event the client refused (its builder threw) and span data
   * the adapter could not read. Each is also passed to `onError`.
   */
  readonly failed: number;
  /** Traces (sessions) started and not yet ended. */
  readonly openTraces: number;
  /** Spans started and not yet ended. */
  readonly openSpans: number;
}

/** The OpenAI Agents SDK's `TracingProcessor`, plus the adapter's counters. */
export interface ChaukasTracingProcessor extends TracingProcessor {
  /** A snapshot of the processor's counters. */
  stats(): ChaukasTracingProcessorStats;
}
