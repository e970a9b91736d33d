import type {
  ChaukasScope,
  ErrorInit,
  EventOptions,
  ModelInvocationHandle,
  ModelInvocationResult,
  ModelInvocationStart,
  ToolCallHandle,
} from "@chaukas/client";
import {
  createIntegrationGuard,
  createOpenCalls,
  EVICTED_CALL,
  omitUndefined,
  recordedError,
} from "@chaukas/client/integration";
import type { Telemetry } from "ai";
import { toJsonContent } from "./json-content.js";
import { CHAUKAS_TELEMETRY_DEFAULTS, type ChaukasTelemetryOptions } from "./telemetry-options.js";

/** The event the AI SDK passes to hook `K` of its `Telemetry` interface. */
type HookEvent<K extends keyof Telemetry> =
  NonNullable<Telemetry[K]> extends (event: infer E) => unknown ? E : never;

/** The integration's own health; the events themselves are counted by the client's `stats()`. */
export interface ChaukasTelemetryStats {
  /** Failures of the integration itself (see `ChaukasTelemetryOptions.onError`). */
  readonly failed: number;
  /** Calls started and not yet ended. */
  readonly openCalls: number;
}

/** The AI SDK `Telemetry` integration returned by `chaukasTelemetry`. */
export interface ChaukasTelemetry extends Telemetry {
  onStart(event: HookEvent<"onStart">): void;
  onLanguageModelCallStart(event: HookEvent<"onLanguageModelCallStart">): void;
  onLanguageModelCallEnd(event: HookEvent<"onLanguageModelCallEnd">): void;
  onStepError(event: HookEvent<"onStepError">): void;
  onToolExecutionStart(event: HookEvent<"onToolExecutionStart">): void;
  onToolExecutionEnd(event: HookEvent<"onToolExecutionEnd">): void;
  onEnd(event: HookEvent<"onEnd">): void;
  onAbort(event: HookEvent<"onAbort">): void;
  onError(event: unknown): void;
  /** Runs a tool inside its TOOL_CALL span, so what the tool emits nests under it. */
  executeTool<T>(options: {
    callId: string;
    toolCallId: string;
    execute: () => PromiseLike<T>;
  }): PromiseLike<T>;
  /** A snapshot of the integration's counters. */
  stats(): ChaukasTelemetryStats;
}

/** What the events of one `generateText`/`streamText` call share while it runs. */
interface CallState {
  readonly callId: string;
  /** What every event of the call carries (`eventOptions`). */
  readonly options: EventOptions;
  /** The model invocation of the current step, until the AI SDK reports its end. */
  model: ModelInvocationHandle | undefined;
  /** Tool executions started and not yet ended, by the model's tool call id. */
  readonly tools: Map<string, ToolCallHandle>;
}

/** What every hook's event carries: the call's id and its per-call telemetry settings. */
interface CallEvent {
  readonly callId: string;
  readonly recordInputs?: boolean | undefined;
  readonly recordOutputs?: boolean | undefined;
  readonly functionId?: string | undefined;
}

/**
 * Chaukas events from the AI SDK's telemetry hooks (`ai` 7): per step MODEL_INVOCATION_START
 * and END (provider, model, tokens, finish reason), per tool execution TOOL_CALL_START and END,
 * ERROR when a tool or the call fails.
 * ```ts
 * registerTelemetry(chaukasTelemetry(chaukas));
 * ```
 * `chaukas` is where the events go: the client (they nest under the span active when the AI
 * SDK reports them) or a session, agent or span handle (they nest under it). The hooks never
 * throw into the AI SDK and never wait: events are queued by the client, and the
 * integration's own failures are counted in `stats().failed` and told to `onError`.
 * Throws `ChaukasValidationError` for invalid options.
 */
export function chaukasTelemetry(
  chaukas: ChaukasScope,
  options: ChaukasTelemetryOptions = {},
): ChaukasTelemetry {
  const recordInputs = options.recordInputs ?? CHAUKAS_TELEMETRY_DEFAULTS.recordInputs;
  const recordOutputs = options.recordOutputs ?? CHAUKAS_TELEMETRY_DEFAULTS.recordOutputs;
  // Each hook runs under the guard: what it throws is counted, never thrown into the AI SDK.
  const guard = createIntegrationGuard<string>(options.onError);
  // Beyond maxOpenCalls, the oldest call is evicted: its open spans fail with EVICTED_CALL.
  const calls = createOpenCalls<string, CallState>(
    options.maxOpenCalls,
    guard,
    (call) => failOpenSpans(call, EVICTED_CALL),
    (call) => call.callId,
  );
  const hook = guard.wrap;

  const inputsOf = (event: CallEvent) => recordInputs && event.recordInputs !== false;
  const outputsOf = (event: CallEvent) => recordOutputs && event.recordOutputs !== false;

  /** The options every event of a call carries: the AI SDK's call id and function id. */
  function eventOptions(event: CallEvent): EventOptions {
    return {
      invocationId: event.callId,
      ...(event.functionId ? { metadata: { functionId: event.functionId } } : {}),
    };
  }

  /** The call's state, made on its first event; the oldest call is evicted when full. */
  function callOf(event: CallEvent): CallState {
    let call = calls.get(event.callId);
    if (call === undefined) {
      call = {
        callId: event.callId,
        options: eventOptions(event),
        model: undefined,
        tools: new Map(),
      };
      calls.open(event.callId, call);
    }
    return call;
  }

  /** Ends a call's open spans as failed (each on its own: one refusal does not skip the rest). */
  function failOpenSpans(call: CallState, error: ErrorInit): void {
    const open = [...call.tools.values(), ...(call.model ? [call.model] : [])];
    call.model = undefined;
    call.tools.clear();
    for (const span of open) {
      try {
        span.fail(error, call.options);
      } catch (failure) {
        guard.report(failure, "failOpenSpans");
      }
    }
  }

  /** Ends a span; if the client refuses the result, still ends it, as failed. */
  function endSpan<R>(
    span: { end(result?: R): void; fail(error: unknown, options?: EventOptions): void },
    result: R,
    options: EventOptions,
  ): void {
    try {
      span.end(result);
    } catch (error) {
      span.fail(error, options);
      throw error;
    }
  }

  const integration: ChaukasTelemetry = {
    onStart: hook("onStart", (event: CallEvent) => {
      callOf(event);
    }),

    onLanguageModelCallStart: hook("onLanguageModelCallStart", (event) => {
      const call = callOf(event);
      // A start without the previous step's end (the AI SDK reports none today) closes it.
      const previous = call.model;
      call.model = undefined;
      previous?.fail(
        { message: "the next model call started before this one reported its end" },
        call.options,
      );
      const start = omitUndefined<ModelInvocationStart>({
        provider: event.provider,
        model: event.modelId,
        temperature: event.temperature,
        maxTokens: event.maxOutputTokens,
        topP: event.topP,
        frequencyPenalty: event.frequencyPenalty,
        presencePenalty: event.presencePenalty,
        request: inputsOf(event)
          ? toJsonContent({
              instructions: event.instructions,
              messages: event.messages,
              tools: event.tools,
            })
          : undefined,
      });
      call.model = chaukas.modelInvocationStart({ ...start, ...call.options });
    }),

    onLanguageModelCallEnd: hook("onLanguageModelCallEnd", (event) => {
      const call = callOf(event);
      const model = call.model;
      call.model = undefined;
      if (model === undefined) return;
      const { usage } = event;
      const result = omitUndefined<ModelInvocationResult>({
        promptTokens: usage.inputTokens ?? 0,
        completionTokens: usage.outputTokens ?? 0,
        totalTokens: usage.totalTokens,
        finishReason: event.finishReason,
        responseId: event.responseId || undefined,
        response: outputsOf(event) ? toJsonContent({ content: event.content }) : undefined,
      });
      endSpan(model, { ...call.options, ...result }, call.options);
    }),

    onStepError: hook("onStepError", (event) => {
      const call = callOf(event);
      const model = call.model;
      call.model = undefined;
      model?.fail(recordedError(event.error, outputsOf(event)), call.options);
    }),

    onToolExecutionStart: hook("onToolExecutionStart", (event) => {
      const call = callOf(event);
      const { toolCall } = event;
      const args = inputsOf(event) ? toJsonContent(toolCall.input) : undefined;
      const tool = chaukas.toolCallStart({
        name: toolCall.toolName,
        id: toolCall.toolCallId,
        ...(args === undefined ? {} : { arguments: args }),
        ...call.options,
      });
      call.tools.set(toolCall.toolCallId, tool);
    }),

    onToolExecutionEnd: hook("onToolExecutionEnd", (event) => {
      const call = callOf(event);
      const id = event.toolCall.toolCallId;
      const tool = call.tools.get(id);
      call.tools.delete(id);
      if (tool === undefined) return;
      const { toolOutput } = event;
      if (toolOutput.type === "tool-error") {
        // The AI SDK hands the error to the model as the tool's result; the call goes on.
        const error = recordedError(toolOutput.error, outputsOf(event), {
          recoverable: true,
          recoveryAction: "returned to the model",
        });
        try {
          tool.error(error, call.options);
        } finally {
          tool.fail(error, call.options);
        }
        return;
      }
      const output = outputsOf(event) ? toJsonContent(toolOutput.output) : undefined;
      endSpan(tool, { ...call.options, ...(output === undefined ? {} : { output }) }, call.options);
    }),

    onEnd: hook("onEnd", (event: CallEvent) => {
      const call = calls.close(event.callId);
      if (call === undefined) return;
      failOpenSpans(call, { message: "the call ended before this span reported its end" });
    }),

    onAbort: hook("onAbort", (event) => {
      const call = calls.close(event.callId);
      if (call === undefined) return;
      failOpenSpans(call, { message: "aborted", code: "aborted" });
    }),

    onError: hook("onError", (event: unknown) => {
      const { callId, error } = (event ?? {}) as CallEvent & { error?: unknown };
      if (typeof callId !== "string") return;
      const call = calls.close(callId);
      const init = recordedError(error, outputsOf(event as CallEvent));
      if (call) failOpenSpans(call, init);
      chaukas.error(init, call?.options ?? eventOptions(event as CallEvent));
    }),

    executeTool({ callId, toolCallId, execute }) {
      const tool = guard.run("executeTool", undefined, () =>
        calls.get(callId)?.tools.get(toolCallId),
      );
      // The tool's own result or error passes through untouched.
      return tool ? tool.run(execute) : execute();
    },

    stats: () => ({ failed: guard.failed, openCalls: calls.size }),
  };
  return integration;
}
