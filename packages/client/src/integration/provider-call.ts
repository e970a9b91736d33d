/**
 * One call of a provider SDK as it is recorded: MODEL_INVOCATION_START when the app makes it, a
 * RETRY per attempt the SDK makes again, and the END (or ERROR and a failed END) when the app
 * has its outcome: the parsed response, the end of its stream, or the error it throws.
 */

import { Severity } from "@chaukas/spec/common/v1";
import type { ErrorInit, JsonInput } from "../builders/builder-types.js";
import type { ModelInvocationHandle, SessionHandle } from "../builders/scope-types.js";
import type { IntegrationGuard } from "./integration-guard.js";
import { omitUndefined } from "./omit-undefined.js";
import { createOpenCalls, EVICTED_CALL, type OpenCalls } from "./open-calls.js";
import { providerCallFailure, retryAfterMs } from "./provider-error.js";
import type {
  CallOutcome,
  ContentCapture,
  ProviderOperation,
  StreamFold,
} from "./provider-operation.js";
import { observeStainlessStream } from "./stainless-stream.js";

/** How one HTTP attempt of a call ended, as the SDK's `fetch` (or its middleware) saw it. */
export type AttemptOutcome =
  | { readonly status: number; readonly headers: unknown }
  | { readonly error: unknown };

/** An attempt that ended, remembered until the next one starts. */
interface EndedAttempt {
  readonly outcome: AttemptOutcome;
  readonly endMs: number;
}

/** What a recorded call is made of. */
export interface ProviderCallParts {
  readonly operation: ProviderOperation;
  readonly model: ModelInvocationHandle;
  /** The session opened for this call alone (no Chaukas scope was active), ended with it. */
  readonly session: SessionHandle | undefined;
  readonly capture: ContentCapture;
  /** True when the request asked for a stream (`stream: true`). */
  readonly streamed: boolean;
  readonly guard: IntegrationGuard<string>;
  /** The open calls of its wrapped client: the call is open there until it ends. */
  readonly openCalls: OpenCalls<ProviderCall, ProviderCall>;
}

/**
 * The open calls of one wrapped SDK client, at most `maxOpenCalls` (the user's option;
 * `undefined` is the default): an evicted call ends as `ProviderCall.evict` says.
 */
export function openProviderCalls(
  maxOpenCalls: number | undefined,
  guard: IntegrationGuard<string>,
): OpenCalls<ProviderCall, ProviderCall> {
  return createOpenCalls<ProviderCall, ProviderCall>(
    maxOpenCalls,
    guard,
    (call) => call.evict(),
    (call) => call.operationName,
  );
}

/** How a call that did not end as the app saw it is ended. */
type Unfinished =
  /** It failed: ERROR, and its END failed. */
  | "failed"
  /** The app gave it up (its abort, a stream closed early): its END failed, as a warning. */
  | "abandoned"
  /** Evicted by `maxOpenCalls`: its END failed, as the integrations end evicted spans. */
  | "evicted";

/** A call in flight; every method is safe to call from the SDK's path (guarded). */
export class ProviderCall {
  readonly #parts: ProviderCallParts;
  readonly #startMs = Date.now();
  #attempts = 0;
  #lastAttempt: EndedAttempt | undefined;
  #fold: StreamFold | undefined;
  #firstOutputMs: number | undefined;
  #ended = false;

  constructor(parts: ProviderCallParts) {
    this.#parts = parts;
    parts.openCalls.open(this, this);
  }

  /** The operation's name (e.g. "chat.completions.create"), as reports name the call. */
  get operationName(): string {
    return this.#parts.operation.name;
  }

  /**
   * Ends the call failed with `EVICTED_CALL` (`maxOpenCalls` calls were open), with what its
   * stream produced so far; nothing the app does with it later is recorded.
   */
  evict(): void {
    this.#fail(EVICTED_CALL, {}, "evicted");
  }

  /** An HTTP attempt starts: from the second on, a RETRY under the call's span. */
  attemptStarted(): void {
    this.#guarded("retry", () => {
      this.#attempts++;
      const previous = this.#lastAttempt;
      if (this.#attempts === 1 || previous === undefined || this.#ended) return;
      const { outcome } = previous;
      const status = "status" in outcome ? outcome.status : undefined;
      const retryAfter = "headers" in outcome ? retryAfterMs(outcome.headers) : undefined;
      const reason: ErrorInit =
        status === undefined
          ? providerCallFailure((outcome as { error: unknown }).error, this.#parts.capture.outputs)
              .error
          : { message: `HTTP ${status}`, code: status };
      this.#parts.model.retry({
        attempt: this.#attempts,
        strategy: retryAfter === undefined ? "exponential_backoff" : "retry_after",
        backoffMs: Math.max(0, Date.now() - previous.endMs),
        reason,
        metadata: omitUndefined<JsonInput>({
          operation: this.#parts.operation.name,
          http_status: status,
          retry_after_ms: retryAfter,
        }),
      });
    });
  }

  /** An HTTP attempt ended with a response (any status) or a network error. */
  attemptEnded(outcome: AttemptOutcome): void {
    this.#lastAttempt = { outcome, endMs: Date.now() };
  }

  /** The parsed value the app gets: a stream to follow, or the response to end with. */
  readonly value = (value: unknown): void => {
    this.#guarded("value", () => {
      const fold = this.#parts.streamed
        ? this.#parts.operation.stream?.(this.#parts.capture)
        : undefined;
      if (fold === undefined) {
        this.#end(this.#parts.operation.outcome(value, this.#parts.capture));
        return;
      }
      this.#fold = fold;
      // Observed through the stream's own events; ends when the app's reading ends.
      const observed = observeStainlessStream(value, {
        event: this.streamEvent,
        ended: this.streamEnded,
        failed: this.failed,
      });
      if (!observed) {
        // An SDK that keeps the stream's source elsewhere: the call is recorded without its
        // output, and the app's stream is left as it is.
        this.#parts.guard.reportOnce(
          "stream-iterator",
          new Error(
            "the SDK's stream has no `iterator` function to observe: streamed calls are recorded without their output",
          ),
          `${this.#parts.operation.name} stream`,
        );
        this.#end(fold.outcome(), { stream_observed: false });
      }
    });
  };

  /** The raw response handed over unread (`asResponse()`): what is known without its body. */
  readonly response = (response: unknown): void => {
    this.#guarded("asResponse", () => {
      const status = (response as { status?: unknown } | null)?.status;
      this.#end(
        { result: {}, metadata: {} },
        omitUndefined<JsonInput>({
          http_status: typeof status === "number" ? status : undefined,
          response_read_by_app: true,
        }),
      );
    });
  };

  /** What the app's `await` (or its stream) throws. */
  readonly failed = (thrown: unknown): void => {
    this.#guarded("failed", () => {
      const failure = providerCallFailure(thrown, this.#parts.capture.outputs);
      this.#fail(failure.error, failure.metadata, failure.abandoned ? "abandoned" : "failed");
    });
  };

  /** A streamed event, before the app gets it. */
  readonly streamEvent = (event: unknown): void => {
    this.#guarded("stream", () => {
      if (this.#fold?.add(event) && this.#firstOutputMs === undefined) {
        this.#firstOutputMs = Date.now();
      }
    });
  };

  /** The stream ended: read to its end, or closed early by the app. */
  readonly streamEnded = (abandoned: boolean): void => {
    this.#guarded("stream", () => {
      const outcome = this.#fold?.outcome() ?? { result: {}, metadata: {} };
      if (!abandoned) {
        this.#end(outcome);
        return;
      }
      this.#fail(
        { message: "the app closed the stream before its end", code: "abandoned" },
        {},
        "abandoned",
      );
    });
  };

  /** The END's `metadata` every outcome shares. */
  #baseMetadata(): JsonInput {
    return omitUndefined<JsonInput>({
      operation: this.#parts.operation.name,
      stream: this.#parts.streamed || undefined,
      attempts: this.#attempts > 1 ? this.#attempts : undefined,
      time_to_first_token_ms:
        this.#firstOutputMs === undefined ? undefined : this.#firstOutputMs - this.#startMs,
    });
  }

  /** Marks the call ended, once: false when it had already ended. */
  #settle(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#parts.openCalls.close(this);
    return true;
  }

  #end(outcome: CallOutcome, extra: JsonInput = {}): void {
    if (!this.#settle()) return;
    const { model, session } = this.#parts;
    const metadata = { ...this.#baseMetadata(), ...outcome.metadata, ...extra };
    if (outcome.failure !== undefined) {
      const { response, ...result } = outcome.result;
      model.error(outcome.failure, { metadata });
      model.fail(outcome.failure, {
        ...result,
        ...(response ? { output: response } : {}),
        metadata,
      });
      session?.fail(outcome.failure);
      return;
    }
    model.end({ ...outcome.result, metadata });
    session?.end();
  }

  /**
   * Ends the call failed, with what its stream produced so far. An abandoned call (the app's
   * abort, a stream closed early) is the app's choice: a warning, and no ERROR. An evicted one
   * has no ERROR either (its eviction is reported to `onError`), as evicted spans end elsewhere.
   */
  #fail(error: ErrorInit, failureMetadata: JsonInput, how: Unfinished): void {
    if (!this.#settle()) return;
    const abandoned = how === "abandoned";
    const { model, session } = this.#parts;
    const partial = this.#fold?.outcome();
    const { response, ...tokens } = partial?.result ?? {};
    const metadata = { ...this.#baseMetadata(), ...partial?.metadata, ...failureMetadata };
    if (how === "failed") model.error(error, { metadata });
    model.fail(error, {
      ...tokens,
      ...(response ? { output: response } : {}),
      metadata,
      ...(abandoned ? { severity: Severity.WARN } : {}),
    });
    if (abandoned) session?.end();
    else session?.fail(error);
  }

  /** `guard.run`, naming the hook only when it fails: hooks run per streamed event. */
  #guarded(where: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#parts.guard.report(error, `${this.#parts.operation.name} ${where}`);
    }
  }
}
