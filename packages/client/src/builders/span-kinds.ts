/**
 * The kinds of span (session, agent, model invocation, tool call, MCP call): the types and
 * authors of their START and END events, and how each END is made from how the span ended.
 */

import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Author, EventType, type MCPCall } from "@chaukas/spec/common/v1";
import type { EventAttachments } from "./build-event.js";
import type {
  EndOptions,
  FailOptions,
  McpCallResult,
  ModelInvocationResult,
  ToolCallResult,
} from "./builder-types.js";
import { timestampFromFractionalMs } from "./clock.js";
import {
  type Content,
  costDetails,
  llmInvocationEnded,
  mcpCallEnded,
  optionalState,
  performanceMetrics,
  toolResponse,
} from "./content-messages.js";
import { errorInfoFrom, errorMetadata } from "./error-info.js";

/** What `end(result)` and `fail(error, options)` of any span kind may be given. */
export type EndResult = EndOptions &
  ModelInvocationResult &
  ToolCallResult &
  McpCallResult &
  FailOptions;

/** The START content's value of a span, whose ids the END repeats (read, never changed). */
export interface SpanStart {
  readonly provider?: string;
  readonly model?: string;
  readonly startTime?: Timestamp;
  readonly id?: string;
}

/** How a span ended: what its kind's END is made of. */
export interface Ending {
  /** The START content's value. */
  readonly start: SpanStart;
  /** The argument of `end(result)`, or the options of `fail(error, options)`. */
  readonly result: EndResult | undefined;
  /** Set by `fail()`: what failed. */
  readonly failure: { readonly error: unknown } | undefined;
  /** The END's time, in Unix milliseconds. */
  readonly endMs: number;
  readonly durationMs: number;
}

/** The END event's content and what it carries besides. */
export interface EndParts {
  readonly content: Content;
  readonly attachments: EventAttachments;
}

/**
 * One kind of span (one `*Start` builder): the types and authors of its START and END events,
 * and how the END is made. The END's severity and status come from how it ended (INFO and
 * COMPLETED, or ERROR and FAILED), for every kind alike.
 */
export interface SpanKind {
  readonly startType: EventType;
  readonly endType: EventType;
  readonly startAuthor: Author;
  readonly endAuthor: Author;
  readonly end: (ending: Ending) => EndParts;
}

/** A failed span's error as the END event's `metadata.error` (not for tool calls, see below). */
function failureMetadata(ending: Ending) {
  return ending.failure ? errorMetadata(ending.failure.error) : undefined;
}

/** SESSION_END, AGENT_END: the final state, if any; the duration as `performance`. */
function lifecycleEnd(ending: Ending): EndParts {
  return {
    content: optionalState(ending.result?.state),
    attachments: {
      metadata: failureMetadata(ending),
      performance: performanceMetrics(ending.durationMs),
    },
  };
}

/**
 * MODEL_INVOCATION_END: the START's provider, model and start time, the result's tokens and
 * response (a failure's partial `output`), end time and duration; `cost` from the result.
 */
function modelInvocationEnd(ending: Ending): EndParts {
  const { start, result, failure, durationMs } = ending;
  const prompt = result?.promptTokens ?? 0;
  const completion = result?.completionTokens ?? 0;
  return {
    content: {
      case: "llmInvocation",
      value: llmInvocationEnded(result, {
        provider: start.provider ?? "",
        model: start.model ?? "",
        response: failure ? result?.output : result?.response,
        // Summed only when both are numbers; otherwise the check reports the bad field.
        totalTokens:
          result?.totalTokens ??
          (typeof prompt === "number" && typeof completion === "number" ? prompt + completion : 0),
        finishReason: result?.finishReason ?? (failure ? "error" : ""),
        startTime: start.startTime,
        endTime: timestampFromFractionalMs(ending.endMs),
        durationMs,
      }),
    },
    attachments: {
      metadata: failureMetadata(ending),
      cost: result?.cost
        ? costDetails(result.cost, result.cost.provider ?? start.provider)
        : undefined,
    },
  };
}

/**
 * TOOL_CALL_END: a `tool_response` to the START's tool call id, with the execution time. A
 * failed call's error is its `error_message`, so it is not repeated in `metadata`.
 */
function toolCallEnd({ start, result, failure, durationMs }: Ending): EndParts {
  return {
    content: {
      case: "toolResponse",
      value: toolResponse(
        result,
        start.id ?? "",
        failure ? errorInfoFrom(failure.error).errorMessage : "",
        durationMs,
      ),
    },
    attachments: {},
  };
}

/** MCP_CALL_END: the START's call (server, operation, ...) without its request, with the response. */
function mcpCallEnd(ending: Ending): EndParts {
  const { start, result, failure, durationMs } = ending;
  return {
    content: {
      case: "mcpCall",
      value: mcpCallEnded(
        start as MCPCall,
        failure ? result?.output : result?.response,
        durationMs,
      ),
    },
    attachments: { metadata: failureMetadata(ending) },
  };
}

/** Every span kind, by the builder that starts it (`startSession` for the session). */
export const SPAN_KINDS = {
  session: {
    startType: EventType.SESSION_START,
    endType: EventType.SESSION_END,
    startAuthor: Author.SYSTEM,
    endAuthor: Author.SYSTEM,
    end: lifecycleEnd,
  },
  agent: {
    startType: EventType.AGENT_START,
    endType: EventType.AGENT_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.AGENT,
    end: lifecycleEnd,
  },
  modelInvocation: {
    startType: EventType.MODEL_INVOCATION_START,
    endType: EventType.MODEL_INVOCATION_END,
    startAuthor: Author.LLM,
    endAuthor: Author.LLM,
    end: modelInvocationEnd,
  },
  toolCall: {
    startType: EventType.TOOL_CALL_START,
    endType: EventType.TOOL_CALL_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.TOOL,
    end: toolCallEnd,
  },
  mcpCall: {
    startType: EventType.MCP_CALL_START,
    endType: EventType.MCP_CALL_END,
    startAuthor: Author.AGENT,
    endAuthor: Author.TOOL,
    end: mcpCallEnd,
  },
} as const satisfies Record<string, SpanKind>;
