/**
 * The builders of point events: one event each, on a span of its own under the parent (the
 * caller's `spanId`, or a new one), at the caller's `time` or now. Each returns the event's id.
 */

import { Author, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import type {
  DataAccessInit,
  HandoffInit,
  JsonInput,
  MessageInit,
  PointEventOptions,
  PolicyDecisionInit,
  RetryInit,
  SystemInit,
} from "./builder-types.js";
import {
  agentHandoff,
  dataAccess,
  messageCase,
  NO_CONTENT,
  optionalState,
  policyDecision,
  retryInfo,
  stateContent,
} from "./content-messages.js";
import { errorContent } from "./error-info.js";
import {
  childContext,
  emit,
  type Parent,
  pointTimeMs,
  type ScopeRuntime,
} from "./scope-runtime.js";

/** INPUT_RECEIVED / OUTPUT_EMITTED: a message, its role defaulting to `role`. */
function emitMessage(
  runtime: ScopeRuntime,
  parent: Parent,
  input: MessageInit | string,
  type: EventType,
  author: Author,
  role: string,
): string {
  const init: MessageInit = typeof input === "string" ? { text: input } : (input ?? {});
  return emit(runtime, {
    context: childContext(parent, init.spanId),
    type,
    author,
    content: messageCase(init.role ?? role, init.text, init.messageMetadata),
    options: init,
    timeMs: pointTimeMs(init),
  });
}

/** Every point builder, as a function of the runtime and the parent span. */
export const POINT_BUILDERS = {
  inputReceived: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, EventType.INPUT_RECEIVED, Author.USER, "user"),

  outputEmitted: (runtime: ScopeRuntime, parent: Parent, input: MessageInit | string) =>
    emitMessage(runtime, parent, input, EventType.OUTPUT_EMITTED, Author.AGENT, "assistant"),

  retry: (runtime: ScopeRuntime, parent: Parent, input: RetryInit) =>
    emit(runtime, {
      context: childContext(parent, input?.spanId),
      type: EventType.RETRY,
      author: Author.AGENT,
      content: input?.reason === undefined ? NO_CONTENT : errorContent(input.reason),
      options: input,
      severity: Severity.WARN,
      status: EventStatus.IN_PROGRESS,
      attachments: { retry: retryInfo(input, input?.strategy ?? "exponential_backoff") },
      timeMs: pointTimeMs(input),
    }),

  handoff: (runtime: ScopeRuntime, parent: Parent, input: HandoffInit) =>
    emit(runtime, {
      context: childContext(parent, input?.spanId),
      type: EventType.AGENT_HANDOFF,
      author: Author.AGENT,
      content: {
        case: "agentHandoff",
        value: agentHandoff(input, parent?.agentId ?? "", parent?.agentName ?? "", input?.data),
      },
      options: input,
      timeMs: pointTimeMs(input),
    }),

  policyDecision: (runtime: ScopeRuntime, parent: Parent, input: PolicyDecisionInit) =>
    emit(runtime, {
      context: childContext(parent, input?.spanId),
      type: EventType.POLICY_DECISION,
      author: Author.SYSTEM,
      content: { case: "policy", value: policyDecision(input) },
      options: input,
      severity: input?.outcome === "deny" ? Severity.WARN : Severity.INFO,
      timeMs: pointTimeMs(input),
    }),

  // The event-level pii_categories is the same list, from the options (see DataAccessInit).
  dataAccess: (runtime: ScopeRuntime, parent: Parent, input: DataAccessInit) =>
    emit(runtime, {
      context: childContext(parent, input?.spanId),
      type: EventType.DATA_ACCESS,
      author: Author.AGENT,
      content: { case: "dataAccess", value: dataAccess(input) },
      options: input,
      timeMs: pointTimeMs(input),
    }),

  stateUpdate: (
    runtime: ScopeRuntime,
    parent: Parent,
    state: JsonInput,
    options?: PointEventOptions,
  ) =>
    emit(runtime, {
      context: childContext(parent, options?.spanId),
      type: EventType.STATE_UPDATE,
      author: Author.AGENT,
      content: stateContent(state),
      options,
      timeMs: pointTimeMs(options),
    }),

  error: (runtime: ScopeRuntime, parent: Parent, error: unknown, options?: PointEventOptions) =>
    emit(runtime, {
      context: childContext(parent, options?.spanId),
      type: EventType.ERROR,
      author: parent?.agentId ? Author.AGENT : Author.SYSTEM,
      content: errorContent(error),
      options,
      severity: Severity.ERROR,
      status: EventStatus.FAILED,
      timeMs: pointTimeMs(options),
    }),

  system(runtime: ScopeRuntime, parent: Parent, input: SystemInit | string): string {
    const init: SystemInit = typeof input === "string" ? { message: input } : (input ?? {});
    return emit(runtime, {
      context: childContext(parent, init.spanId),
      type: EventType.SYSTEM,
      author: Author.SYSTEM,
      content:
        init.message === undefined
          ? optionalState(init.state)
          : messageCase("system", init.message),
      options: init,
      timeMs: pointTimeMs(init),
    });
  },
};
