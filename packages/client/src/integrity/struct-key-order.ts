/**
 * Canonical key order for every `google.protobuf.Struct` in a message, found from its schema:
 * the integrity hash encodes a copy made here, so a Struct field added to the spec is hashed
 * with sorted keys without anyone listing it.
 */
import type { DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";

const STRUCT = "google.protobuf.Struct";
const VALUE = "google.protobuf.Value";

/**
 * Returns `message` with the keys of every Struct in it, at any depth (message fields, oneofs,
 * lists, map values, and Structs inside `Value` / `ListValue`), in code-point order. A copy down
 * to the Structs that changed; the message itself is not changed. Other keys, lists and map
 * entries keep their order.
 */
export function withSortedStructKeys<T extends object>(desc: DescMessage, message: T): T {
  return sortedMessage(desc, message as Record<string, unknown>) as T;
}

function sortedMessage(desc: DescMessage, message: Record<string, unknown>): unknown {
  const fields = structHoldingFields(desc);
  if (fields.length === 0) return message;
  const copy: Record<string, unknown> = { ...message };
  for (const field of fields) {
    if (field.oneof === undefined) {
      const value = message[field.localName];
      if (value !== undefined) copy[field.localName] = sortedFieldValue(field, value);
      continue;
    }
    const oneof = message[field.oneof.localName] as { case?: string; value?: unknown };
    if (oneof.case === field.localName && oneof.value !== undefined) {
      copy[field.oneof.localName] = {
        case: oneof.case,
        value: sortedFieldValue(field, oneof.value),
      };
    }
  }
  return copy;
}

function sortedFieldValue(field: DescField, value: unknown): unknown {
  switch (field.fieldKind) {
    case "message":
      return sortedItem(field, field.message, value);
    case "list":
      return field.listKind === "message"
        ? (value as unknown[]).map((item) => sortedItem(field, field.message, item))
        : value;
    case "map": {
      if (field.mapKind !== "message") return value;
      const entries = Object.entries(value as Record<string, unknown>);
      // A Struct message (inside a Value) is a map of keys: the one map whose order is sorted.
      if (field.parent.typeName === STRUCT)
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const out: Record<string, unknown> = {};
      for (const [key, item] of entries) out[key] = sortedItem(field, field.message, item);
      return out;
    }
    default:
      return value;
  }
}

/** A field's message value; protobuf-es hands a Struct field (outside a Value) over as plain JSON. */
function sortedItem(field: DescField, desc: DescMessage, value: unknown): unknown {
  if (desc.typeName === STRUCT && field.parent.typeName !== VALUE) {
    return sortedJson(value as JsonObject);
  }
  return sortedMessage(desc, value as Record<string, unknown>);
}

/**
 * A copy with object keys inserted in code-point order. JavaScript still lists integer-like
 * keys first (ascending), but that order is itself a function of the key set, so the
 * encoding is the same for equal JSON.
 */
function sortedJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortedJson(value[key]!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Per message type: its fields that hold a Struct at some depth. Worked out once per type. */
const holdingFields = new WeakMap<DescMessage, readonly DescField[]>();

function structHoldingFields(desc: DescMessage): readonly DescField[] {
  let fields = holdingFields.get(desc);
  if (fields === undefined) {
    const holders = structHolders(desc);
    fields = desc.fields.filter((field) => {
      const type = fieldMessage(field);
      return type !== undefined && holders.has(type);
    });
    holdingFields.set(desc, fields);
  }
  return fields;
}

/**
 * The message types reachable from `root` that are or contain a Struct. A fixed point rather
 * than one depth-first pass, because types may be recursive (`Value` → `Struct` → `Value`).
 */
function structHolders(root: DescMessage): Set<DescMessage> {
  const reachable = new Set<DescMessage>([root]);
  for (const desc of reachable) {
    for (const field of desc.fields) {
      const type = fieldMessage(field);
      if (type !== undefined) reachable.add(type);
    }
  }
  const holders = new Set<DescMessage>([...reachable].filter((d) => d.typeName === STRUCT));
  let grew = true;
  while (grew) {
    grew = false;
    for (const desc of reachable) {
      if (holders.has(desc)) continue;
      const holds = desc.fields.some((field) => {
        const type = fieldMessage(field);
        return type !== undefined && holders.has(type);
      });
      if (holds) {
        holders.add(desc);
        grew = true;
      }
    }
  }
  return holders;
}

function fieldMessage(field: DescField): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}
