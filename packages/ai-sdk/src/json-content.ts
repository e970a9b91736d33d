import type { JsonInput } from "@chaukas/client";
import { type LenientJsonOptions, toLenientJsonObject } from "@chaukas/client/integration";

/** The AI SDK's content parts that may carry a file inline: their `type` and data field. */
const INLINE_DATA_KEYS: ReadonlyMap<unknown, string> = new Map([
  ["image", "image"],
  ["file", "data"],
  ["data", "data"],
]);
const LINK = /^https?:\/\//i;

/**
 * The AI SDK's own rule on top of the client's lenient conversion: inline file data given as a
 * string (base64 or a `data:` URL in an image or file part) is described like bytes, since an
 * image would dwarf the event; a link (`https:`) is kept.
 */
const AI_SDK_CONTENT: LenientJsonOptions = {
  describe(key, value, owner) {
    const inlineDataKey = INLINE_DATA_KEYS.get((owner as { type?: unknown }).type);
    return key === inlineDataKey && typeof value === "string" && !LINK.test(value)
      ? `[${value.length} characters of inline data]`
      : undefined;
  },
};

/**
 * The AI SDK's values (messages, tool inputs and outputs, content parts) as JSON the client
 * accepts in a Struct field, by the client's lenient conversion (`toLenientJsonObject`: bytes
 * described, cycles and too deep nesting marked, a non-object under `value`) with the AI SDK's
 * inline-data rule. `undefined` when the value has no JSON form.
 */
export function toJsonContent(value: unknown): JsonInput | undefined {
  return toLenientJsonObject(value, "value", AI_SDK_CONTENT);
}
