// Messages written as the public REST API's JSON, walking their descriptors (see `toPublicJson`).
import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  CapabilitiesSchema,
  type Event,
  EventBatchSchema,
  EventSchema,
} from "@chaukas/spec/common/v1";
import { PUBLIC_CONTENT_KINDS, STATE_UPDATE_KEY } from "./public-content-kinds.js";

/**
 * Properties the API's schemas list as `required`, by message: written even when they hold the
 * proto default (`""`, an empty list), so the JSON conforms. Enum and Timestamp fields have no
 * JSON form for "unset" and are written only when set.
 */
const ALWAYS_WRITTEN: Readonly<Record<string, readonly string[]>> = {
  [EventSchema.typeName]: ["event_id", "session_id"],
  [EventBatchSchema.typeName]: ["events"],
  "chaukas.spec.common.v1.MessageContent": ["text"],
  "chaukas.spec.common.v1.ToolCall": ["name"],
  "chaukas.spec.common.v1.ToolResponse": ["tool_call_id"],
  "chaukas.spec.common.v1.LLMInvocation": ["provider", "model"],
  "chaukas.spec.common.v1.PolicyDecision": ["policy_id", "outcome"],
  "chaukas.spec.common.v1.DataAccess": ["datasource"],
  "chaukas.spec.common.v1.ErrorInfo": ["error_message"],
  "chaukas.spec.common.v1.AgentHandoff": ["from_agent_id", "to_agent_id"],
  "chaukas.spec.common.v1.MCPCall": ["server_name", "operation"],
  // An answer about capabilities names every one, those it lacks too.
  [CapabilitiesSchema.typeName]: CapabilitiesSchema.fields.map((field) => field.name),
};

export function writeMessage(desc: DescMessage, message: Record<string, unknown>): JsonObject {
  const json: JsonObject = {};
  const always = ALWAYS_WRITTEN[desc.typeName] ?? [];
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const value = writeField(field, message[field.localName], always.includes(field.name));
    if (value !== undefined) json[field.name] = value;
  }
  if (desc.typeName === EventSchema.typeName) writeContent(json, message as unknown as Event);
  return json;
}

function writeContent(json: JsonObject, event: Event): void {
  const { case: contentCase, value } = event.content;
  if (contentCase === undefined) return;
  if (contentCase === "stateUpdate") {
    json[STATE_UPDATE_KEY] = value;
    return;
  }
  const field = EventSchema.field[contentCase]!;
  json.content = {
    kind: PUBLIC_CONTENT_KINDS[contentCase],
    ...writeMessage(field.message!, value as unknown as Record<string, unknown>),
  };
}

/** One field's JSON, or undefined to leave it out. */
function writeField(field: DescField, value: unknown, always: boolean): JsonValue | undefined {
  switch (field.fieldKind) {
    case "list": {
      const items = value as unknown[];
      if (items.length === 0 && !always) return undefined;
      const written = items.map((item) =>
        field.listKind === "enum"
          ? enumName(field.enum, item as number)
          : field.listKind === "message"
            ? writeMessageValue(field.message, item)
            : writeScalar(field.scalar, item),
      );
      return written.filter((item): item is JsonValue => item !== undefined);
    }
    case "enum":
      return enumName(field.enum, value as number);
    case "message":
      return value === undefined ? undefined : writeMessageValue(field.message, value);
    case "scalar":
      return !always && isDefault(value) ? undefined : writeScalar(field.scalar, value);
    case "map":
      // No mapped message has a map field; a future one must be mapped on purpose.
      throw new Error(`${field.toString()}: map fields have no public JSON mapping`);
  }
}

function writeMessageValue(desc: DescMessage, value: unknown): JsonValue {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return value as JsonObject; // protobuf-es holds a Struct as its JSON object
    case "google.protobuf.Timestamp":
      return toJson(TimestampSchema, value as MessageShape<typeof TimestampSchema>);
    default:
      return writeMessage(desc, value as Record<string, unknown>);
  }
}

function writeScalar(type: ScalarType, value: unknown): JsonValue {
  switch (type) {
    case ScalarType.DOUBLE:
      return Number.isFinite(value) ? (value as number) : String(value);
    case ScalarType.BYTES:
      return base64Encode(value as Uint8Array);
    case ScalarType.INT64:
      return String(value);
    default:
      return value as JsonValue;
  }
}

function isDefault(value: unknown): boolean {
  return (
    value === "" ||
    value === 0 ||
    value === false ||
    value === 0n ||
    (value instanceof Uint8Array && value.length === 0)
  );
}

function enumName(desc: DescEnum, value: number): string | undefined {
  if (value === 0) return undefined;
  return desc.value[value]?.localName;
}
