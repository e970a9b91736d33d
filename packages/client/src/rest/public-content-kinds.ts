// How the public REST API names `Event.content`'s cases: the `kind` of each, and the key of the
// one case its union lacks. Shared by the JSON writer and reader.
import type { EventContentCase } from "../validation/event-content-rules.js";

/**
 * The `kind` of each case of `Event.content` in the API's `EventContent` union. The API has no
 * kind for `state_update`: that case is written beside `content`, as `state_update` (see
 * `toPublicJson`). The type makes a new content case a compile error until it is mapped here.
 */
export const PUBLIC_CONTENT_KINDS = {
  message: "message",
  toolCall: "tool_call",
  toolResponse: "tool_response",
  llmInvocation: "llm_invocation",
  policy: "policy_decision",
  dataAccess: "data_access",
  error: "error_info",
  agentHandoff: "agent_handoff",
  mcpCall: "mcp_call",
} as const satisfies { readonly [C in Exclude<EventContentCase, "stateUpdate">]: string };

/** The JSON key of `Event.content`'s `state_update` case, which the API's union lacks. */
export const STATE_UPDATE_KEY = "state_update";
