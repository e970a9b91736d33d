// The public REST API's JSON read into messages, walking their descriptors, each value checked
// and refused with its path (see `fromPublicJson`).
import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  ScalarType,
} from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { EventSchema } from "@chaukas/spec/common/v1";
import { type FieldPath, fail } from "../validation/field-path.js";
import { jsonObject } from "../validation/struct.js";
import { expected } from "../validation/validation-error.js";
import { PUBLIC_CONTENT_KINDS, STATE_UPDATE_KEY } from "./public-content-kinds.js";

/** The content case of each kind, for reading. */
const CASE_BY_KIND: ReadonlyMap<string, string> = new Map(
  Object.entries(PUBLIC_CONTENT_KINDS).map(([contentCase, kind]) => [kind, contentCase]),
);

/** The event's content union; the only oneof among the mapped messages. */
const CONTENT_ONEOF = EventSchema.oneofs.find((oneof) => oneof.name === "content")!;

/** protobuf JSON's spelling of the doubles JSON numbers cannot hold. */
const NON_FINITE = new Map<string, number>([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
]);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

export function asObject(json: unknown, path: FieldPath): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail(path, expected("a JSON object", json));
  }
  return json as Record<string, unknown>;
}

export function readMessage(desc: DescMessage, json: unknown, path: FieldPath): unknown {
  const object = asObject(json, path);
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    path.push(field.name);
    init[field.localName] = readField(field, value, path);
    path.pop();
  }
  if (desc.typeName === EventSchema.typeName) init.content = readContent(object, path);
  return create(desc, init);
}

function readContent(event: Record<string, unknown>, path: FieldPath): unknown {
  const content = event.content ?? undefined;
  const state = event[STATE_UPDATE_KEY] ?? undefined;
  if (content !== undefined && state !== undefined) {
    fail([...path, STATE_UPDATE_KEY], "an event carries one content: content or state_update");
  }
  if (state !== undefined) {
    return { case: "stateUpdate", value: jsonObject(state, [...path, STATE_UPDATE_KEY]) };
  }
  if (content === undefined) return undefined;
  const at = [...path, "content"];
  const { kind } = asObject(content, at);
  const contentCase = typeof kind === "string" ? CASE_BY_KIND.get(kind) : undefined;
  if (contentCase === undefined) {
    fail([...at, "kind"], expected(`one of ${[...CASE_BY_KIND.keys()].join(", ")}`, kind));
  }
  const field = CONTENT_ONEOF.fields.find((f) => f.localName === contentCase)!;
  return { case: contentCase, value: readMessage(field.message!, content, at) };
}

function readField(field: DescField, value: unknown, path: FieldPath): unknown {
  switch (field.fieldKind) {
    case "list": {
      if (!Array.isArray(value)) fail(path, expected("an array", value));
      return value.map((item, i) => {
        path.push(i);
        const read =
          field.listKind === "enum"
            ? readEnum(field.enum, item, path)
            : field.listKind === "message"
              ? readMessageValue(field.message, item, path)
              : readScalar(field.scalar, item, path);
        path.pop();
        return read;
      });
    }
    case "enum":
      return readEnum(field.enum, value, path);
    case "message":
      return readMessageValue(field.message, value, path);
    case "scalar":
      return readScalar(field.scalar, value, path);
    case "map":
      throw new Error(`${field.toString()}: map fields have no public JSON mapping`);
  }
}

function readMessageValue(desc: DescMessage, value: unknown, path: FieldPath): unknown {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return jsonObject(value, path);
    case "google.protobuf.Timestamp":
      if (typeof value === "string") {
        try {
          return fromJson(TimestampSchema, value);
        } catch {
          // Reported below, with the path.
        }
      }
      return fail(path, expected("an RFC 3339 date-time", value));
    default:
      return readMessage(desc, value, path);
  }
}

function readEnum(desc: DescEnum, value: unknown, path: FieldPath): number {
  const match = desc.values.find((v) => v.number !== 0 && v.localName === value);
  if (match === undefined) {
    const names = desc.values.filter((v) => v.number !== 0).map((v) => v.localName);
    fail(path, expected(`one of ${names.join(", ")}`, value));
  }
  return match.number;
}

/** The scalar types the mapped messages use; any other is a mapping still to be written. */
function readScalar(type: ScalarType, value: unknown, path: FieldPath): unknown {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value === "string") return value;
      return fail(path, expected("a string", value));
    case ScalarType.BOOL:
      if (typeof value === "boolean") return value;
      return fail(path, expected("a boolean", value));
    case ScalarType.INT32:
      if (
        Number.isInteger(value) &&
        (value as number) >= INT32_MIN &&
        (value as number) <= INT32_MAX
      ) {
        return value;
      }
      return fail(path, expected("an integer in the int32 range", value));
    case ScalarType.DOUBLE:
      if (typeof value === "number") return value;
      if (typeof value === "string" && NON_FINITE.has(value)) return NON_FINITE.get(value);
      return fail(path, expected("a number", value));
    case ScalarType.BYTES:
      if (typeof value === "string" && BASE64.test(value)) return base64Decode(value);
      return fail(path, expected("base64", value));
    default:
      throw new Error(`${ScalarType[type]} fields have no public JSON mapping`);
  }
}
