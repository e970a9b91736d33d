/**
 * The builders that start a span under the parent (agent, model invocation, tool call, MCP
 * call), at the caller's `startTime` and with the caller's `spanId` when given. Each returns
 * the span's handle.
 */

import type {
  AgentOptions,
  McpCallStart,
  ModelInvocationStart,
  ToolCallStart,
} from "./builder-types.js";
import { timestampAt } from "./clock.js";
import {
  llmInvocationStarted,
  mcpCallStarted,
  optionalState,
  toolCall,
} from "./content-messages.js";
import { uuidv7 } from "./ids.js";
import { requireString } from "./input-checks.js";
import { childContext, type Parent, type ScopeRuntime } from "./scope-runtime.js";
import type {
  AgentHandle,
  McpCallHandle,
  ModelInvocationHandle,
  ToolCallHandle,
} from "./scope-types.js";
import { startSpan, startTimeOf } from "./span-handle.js";
import { SPAN_KINDS } from "./span-kinds.js";

/** Every span-starting builder, as a function of the runtime and the parent span. */
export const SPAN_STARTS = {
  agentStart(runtime: ScopeRuntime, parent: Parent, options: AgentOptions): AgentHandle {
    const agentId = requireString(options?.agentId, "agent_id");
    const agentName = options.agentName ?? "";
    const context = childContext(parent, options.spanId, agentId, agentName);
    const handle = startSpan(
      runtime,
      context,
      SPAN_KINDS.agent,
      optionalState(options.state),
      options,
      startTimeOf(options),
    );
    return Object.assign(handle, { agentId, agentName });
  },

  modelInvocationStart(
    runtime: ScopeRuntime,
    parent: Parent,
    input: ModelInvocationStart,
  ): ModelInvocationHandle {
    const startTime = startTimeOf(input);
    return startSpan(
      runtime,
      childContext(parent, input?.spanId),
      SPAN_KINDS.modelInvocation,
      { case: "llmInvocation", value: llmInvocationStarted(input, timestampAt(startTime.ms)) },
      input,
      startTime,
    );
  },

  toolCallStart(runtime: ScopeRuntime, parent: Parent, input: ToolCallStart): ToolCallHandle {
    const startTime = startTimeOf(input);
    const toolCallId = input?.id ?? uuidv7(startTime.ms);
    const handle = startSpan(
      runtime,
      childContext(parent, input?.spanId),
      SPAN_KINDS.toolCall,
      { case: "toolCall", value: toolCall(input, toolCallId) },
      input,
      startTime,
    );
    return Object.assign(handle, { toolCallId });
  },

  mcpCallStart: (runtime: ScopeRuntime, parent: Parent, input: McpCallStart): McpCallHandle =>
    startSpan(
      runtime,
      childContext(parent, input?.spanId),
      SPAN_KINDS.mcpCall,
      { case: "mcpCall", value: mcpCallStarted(input) },
      input,
      startTimeOf(input),
    ),
};
