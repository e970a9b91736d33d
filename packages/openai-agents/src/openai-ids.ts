import { newSpanId, newTraceId } from "@chaukas/client/integration";

// The SDK's default ids: "trace_" + 32 hex digits, "span_" + 24 hex digits. Custom id
// generators may produce anything, so ids of another shape get fresh W3C ids instead.
const OPENAI_TRACE_ID = /^trace_([0-9a-f]{32})$/;
const OPENAI_SPAN_ID = /^span_([0-9a-f]{16})[0-9a-f]{8}$/;
const ALL_ZERO = /^0+$/;

/**
 * The Chaukas `trace_id` of an OpenAI trace: its 32 hex digits, so a trace can be looked up
 * in both tools by the same id. A new W3C trace id when the SDK's id has another shape.
 */
export function chaukasTraceId(openaiTraceId: string): string {
  const hex = OPENAI_TRACE_ID.exec(openaiTraceId)?.[1];
  return hex !== undefined && !ALL_ZERO.test(hex) ? hex : newTraceId();
}

/**
 * The Chaukas `span_id` of an OpenAI span: the first 16 of its 24 hex digits (W3C span ids
 * have 16). A new span id when the SDK's id has another shape.
 */
export function chaukasSpanId(openaiSpanId: string): string {
  const hex = OPENAI_SPAN_ID.exec(openaiSpanId)?.[1];
  return hex !== undefined && !ALL_ZERO.test(hex) ? hex : newSpanId();
}
