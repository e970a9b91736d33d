import { OPEN_CALLS_DEFAULTS } from "@chaukas/client/integration";

/** Options of `chaukasTelemetry(chaukas, options)`. */
export interface ChaukasTelemetryOptions {
  /**
   * Send prompts, messages, tool definitions and tool arguments. Default: true. The AI SDK's
   * own per-call `recordInputs: false` turns it off too.
   */
  readonly recordInputs?: boolean;
  /**
   * Send model responses, tool results and error messages. Default: true. The AI SDK's own
   * per-call `recordOutputs: false` turns it off too.
   */
  readonly recordOutputs?: boolean;
  /**
   * Calls tracked at once (started, not yet ended). A new call beyond it evicts the oldest,
   * whose open spans end as failed (counted in `stats().failed`): this bounds memory when a
   * stream is never read to its end. Default: 1000.
   */
  readonly maxOpenCalls?: number;
  /**
   * Told of each failure of the integration itself (an event the client refused, content
   * that is not JSON), with the AI SDK hook it happened in; also counted in `stats().failed`.
   * What it throws is ignored. Default: none.
   */
  readonly onError?: (error: unknown, hook: string) => void;
}

/** Defaults of `ChaukasTelemetryOptions`. */
export const CHAUKAS_TELEMETRY_DEFAULTS = {
  recordInputs: true,
  recordOutputs: true,
  maxOpenCalls: OPEN_CALLS_DEFAULTS.maxOpenCalls,
} as const satisfies Required<
  Pick<ChaukasTelemetryOptions, "recordInputs" | "recordOutputs" | "maxOpenCalls">
>;
