/**
 * Which spans are GenAI spans, and what each becomes: read from the GenAI semantic conventions
 * (`gen_ai.operation.name`), the AI SDK's span names (`ai.*`), and OpenInference's
 * `openinference.span.kind`. Every other span (HTTP, database, ...) is not GenAI.
 */

import type { Attributes } from "@opentelemetry/api";
import { stringAttribute } from "./span-attributes.js";

/**
 * What a GenAI span becomes:
 * - `agent`: AGENT_START / AGENT_END;
 * - `model`: MODEL_INVOCATION_START / _END;
 * - `tool`: TOOL_CALL_START / _END;
 * - `retrieval`: DATA_ACCESS;
 * - `call`: no event of its own (a whole `generateText` call, an OpenInference CHAIN, a
 *   workflow): it is a GenAI span, so it can root a session, and its children nest under
 *   whatever it nests under.
 */
export type GenAiKind = "agent" | "model" | "tool" | "retrieval" | "call";

/** `gen_ai.operation.name` values (current conventions) and what they are. */
const OPERATIONS: Readonly<Record<string, GenAiKind>> = {
  chat: "model",
  text_completion: "model",
  generate_content: "model",
  embeddings: "model",
  execute_tool: "tool",
  invoke_agent: "agent",
  create_agent: "agent",
  retrieval: "retrieval",
  invoke_workflow: "call",
};

/** `openinference.span.kind` values and what they are. */
const OPENINFERENCE_KINDS: Readonly<Record<string, GenAiKind>> = {
  LLM: "model",
  EMBEDDING: "model",
  TOOL: "tool",
  AGENT: "agent",
  RETRIEVER: "retrieval",
  CHAIN: "call",
  RERANKER: "call",
  GUARDRAIL: "call",
  EVALUATOR: "call",
};

/**
 * The AI SDK's provider calls: `ai.generateText.doGenerate`, `ai.streamText.doStream`,
 * `ai.embed.doEmbed`, ... (`ai.<function>.do<Call>`).
 */
const AI_SDK_MODEL_CALL = /^ai\.\w+\.do[A-Z]\w*$/;

/**
 * The kind of a span from its attributes, or undefined for a span that is not GenAI. The AI
 * SDK's `ai.operationId` (its span's name) comes first: its provider-call spans also carry
 * `gen_ai.system`, and its top-level spans must not be taken for model calls.
 */
export function genAiKindOf(attributes: Attributes): GenAiKind | undefined {
  const operationId = stringAttribute(attributes, "ai.operationId");
  if (operationId?.startsWith("ai.")) {
    if (operationId === "ai.toolCall") return "tool";
    return AI_SDK_MODEL_CALL.test(operationId) ? "model" : "call";
  }
  const operation = stringAttribute(attributes, "gen_ai.operation.name");
  if (operation !== undefined) return OPERATIONS[operation] ?? "call";
  const openInference = stringAttribute(attributes, "openinference.span.kind");
  if (openInference !== undefined)
    return OPENINFERENCE_KINDS[openInference.toUpperCase()] ?? "call";
  // Instrumentations written before `gen_ai.operation.name` (OpenLLMetry's older releases) name
  // the provider and model only.
  if (
    stringAttribute(attributes, "gen_ai.system", "gen_ai.provider.name") !== undefined &&
    stringAttribute(attributes, "gen_ai.request.model") !== undefined
  ) {
    return "model";
  }
  return undefined;
}
