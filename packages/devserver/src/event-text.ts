import type { Event } from "@chaukas/spec/common/v1";

/**
 * The text `text_query` searches in an event, lower-cased: message text, tool name and
 * arguments, tool output and error, error message and code, MCP operation, LLM request and
 * response. Structs contribute their keys and string values.
 */
export function searchableText(event: Event): string {
  const parts: string[] = [];
  const content = event.content;
  switch (content.case) {
    case "message":
      parts.push(content.value.text);
      break;
    case "toolCall":
      parts.push(content.value.name, content.value.functionName);
      collectStrings(content.value.arguments, parts);
      break;
    case "toolResponse":
      parts.push(content.value.errorMessage);
      collectStrings(content.value.output, parts);
      break;
    case "error":
      parts.push(content.value.errorMessage, content.value.errorCode);
      break;
    case "mcpCall":
      parts.push(content.value.operation, content.value.serverName);
      collectStrings(content.value.request, parts);
      collectStrings(content.value.response, parts);
      break;
    case "llmInvocation":
      collectStrings(content.value.request, parts);
      collectStrings(content.value.response, parts);
      break;
    default:
      break;
  }
  return parts
    .filter((part) => part !== "")
    .join("\n")
    .toLowerCase();
}

// protobuf-es represents google.protobuf.Struct fields as plain JSON objects.
function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === "string") {
    into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      collectStrings(item, into);
    }
  }
}
