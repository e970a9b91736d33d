import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { checkEventRules } from "./event-content-rules.js";
import { toJsonObject } from "./struct.js";
import { ChaukasValidationError } from "./validation-error.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const STRUCT = "google.protobuf.Struct";

/**
 * Validates an event before it is queued, throwing `ChaukasValidationError` with the
 * field's proto path. Checks the structural rules (`checkEventRules`), then walks the
 * message by its descriptor: strings are strings, int32 fields are integers in range,
 * doubles are finite, enums are known values, timestamps are well-formed, and `Struct`
 * fields hold plain JSON (replaced by a checked copy, see `toJsonObject`). Counts (fields
 * named `*_tokens`, `*_ms`, `attempt`) must not be negative.
 *
 * `structsChecked` skips the JSON walk for events whose Struct fields the builders have
 * already produced with `toJsonObject`, so validation stays one pass.
 */
export function validateEvent(event: Event, structsChecked = false): void {
  if (typeof event !== "object" || event === null) {
    throw new ChaukasValidationError("event", "expected an Event message");
  }
  checkMessage(EventSchema, event as unknown as Record<string, unknown>, "", structsChecked);
  const violation = checkEventRules(event);
  if (violation !== undefined) {
    throw new ChaukasValidationError(violation.field, violation.message);
  }
}

function checkMessage(
  desc: DescMessage,
  message: Record<string, unknown>,
  path: string,
  structsChecked: boolean,
): void {
  for (const member of desc.members) {
    if (member.kind === "oneof") {
      const oneof = message[member.localName] as { case?: unknown; value?: unknown } | undefined;
      if (oneof === undefined || oneof.case === undefined) {
        continue;
      }
      const field = member.fields.find((f) => f.localName === oneof.case);
      if (field === undefined) {
        throw new ChaukasValidationError(
          join(path, member.name),
          `unknown case ${JSON.stringify(oneof.case)}`,
        );
      }
      const value = checkField(field, oneof.value, join(path, field.name), structsChecked);
      if (value !== oneof.value) {
        oneof.value = value;
      }
      continue;
    }
    const value = message[member.localName];
    if (value === undefined) {
      if (member.fieldKind === "message" || member.fieldKind === "map") {
        continue;
      }
      throw new ChaukasValidationError(join(path, member.name), "must not be undefined");
    }
    const checked = checkField(member, value, join(path, member.name), structsChecked);
    if (checked !== value) {
      message[member.localName] = checked;
    }
  }
}

/** Returns the value to store: the same one, or a checked copy for Struct fields. */
function checkField(
  field: DescField,
  value: unknown,
  path: string,
  structsChecked: boolean,
): unknown {
  switch (field.fieldKind) {
    case "scalar":
      checkScalar(field.scalar, field.name, value, path);
      return value;
    case "enum":
      checkEnum(field.enum, value, path);
      return value;
    case "message":
      return checkSubMessage(field.message, value, path, structsChecked);
    case "list": {
      if (!Array.isArray(value)) {
        throw new ChaukasValidationError(path, "expected an array");
      }
      for (let i = 0; i < value.length; i++) {
        const itemPath = `${path}[${i}]`;
        const item: unknown = value[i];
        if (field.listKind === "scalar") {
          checkScalar(field.scalar, field.name, item, itemPath);
        } else if (field.listKind === "enum") {
          checkEnum(field.enum, item, itemPath);
        } else {
          const checked = checkSubMessage(field.message, item, itemPath, structsChecked);
          if (checked !== item) {
            value[i] = checked;
          }
        }
      }
      return value;
    }
    case "map":
      // Event has no map fields; a future one would still be encoded by protobuf-es.
      return value;
  }
}

function checkSubMessage(
  desc: DescMessage,
  value: unknown,
  path: string,
  structsChecked: boolean,
): unknown {
  if (desc.typeName === STRUCT) {
    return structsChecked ? value : toJsonObject(value, path);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ChaukasValidationError(path, `expected a ${desc.name} message`);
  }
  if (desc.typeName === "google.protobuf.Timestamp") {
    checkTimestamp(value as Record<string, unknown>, path);
    return value;
  }
  checkMessage(desc, value as Record<string, unknown>, path, structsChecked);
  return value;
}

// RFC 3339 years 0001..9999, the range google.protobuf.Timestamp allows.
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

function checkTimestamp(ts: Record<string, unknown>, path: string): void {
  const seconds = ts.seconds;
  if (typeof seconds !== "bigint" || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ChaukasValidationError(
      `${path}.seconds`,
      "expected a bigint between years 0001 and 9999",
    );
  }
  const nanos = ts.nanos;
  if (typeof nanos !== "number" || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new ChaukasValidationError(`${path}.nanos`, "expected an integer in 0..999999999");
  }
}

function checkEnum(desc: DescEnum, value: unknown, path: string): void {
  if (typeof value !== "number" || desc.value[value] === undefined) {
    throw new ChaukasValidationError(
      path,
      `${String(value)} is not a value of ${desc.typeName} (see its generated enum)`,
    );
  }
}

function isCount(name: string): boolean {
  return name.endsWith("_tokens") || name.endsWith("_ms") || name === "attempt";
}

function checkScalar(type: ScalarType, name: string, value: unknown, path: string): void {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value !== "string") {
        throw new ChaukasValidationError(path, `expected a string, got ${typeof value}`);
      }
      return;
    case ScalarType.BOOL:
      if (typeof value !== "boolean") {
        throw new ChaukasValidationError(path, `expected a boolean, got ${typeof value}`);
      }
      return;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new ChaukasValidationError(path, `expected a finite number, got ${String(value)}`);
      }
      if (value < 0 && isCount(name)) {
        throw new ChaukasValidationError(path, `must not be negative, got ${value}`);
      }
      return;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new ChaukasValidationError(path, `expected an integer, got ${String(value)}`);
      }
      if (value < (isCount(name) ? 0 : INT32_MIN) || value > INT32_MAX) {
        throw new ChaukasValidationError(
          path,
          `${value} is out of range ${isCount(name) ? 0 : INT32_MIN}..${INT32_MAX}`,
        );
      }
      return;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      if (
        typeof value !== "number" ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > UINT32_MAX
      ) {
        throw new ChaukasValidationError(path, `expected an integer in 0..${UINT32_MAX}`);
      }
      return;
    case ScalarType.BYTES:
      if (!(value instanceof Uint8Array)) {
        throw new ChaukasValidationError(path, "expected a Uint8Array");
      }
      return;
    default:
      // 64-bit integers: protobuf-es uses bigint (or a decimal string with jstype=JS_STRING).
      if (typeof value !== "bigint" && !(typeof value === "string" && /^-?\d+$/.test(value))) {
        throw new ChaukasValidationError(path, "expected a bigint");
      }
  }
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}
