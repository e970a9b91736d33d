import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { checkEventRules } from "./event-content-rules.js";
import { toJsonObject } from "./struct.js";
import { ChaukasValidationError } from "./validation-error.js";

/**
 * Validates an event before it is queued, throwing `ChaukasValidationError` with the
 * field's proto path. Checks the structural rules (`checkEventRules`), then every field by
 * its descriptor: strings are strings, int32 fields are integers in range, doubles are
 * finite, enums are known values, timestamps are well-formed, and `Struct` fields hold plain
 * JSON (replaced by a checked copy, see `toJsonObject`). Counts (fields named `*_tokens`,
 * `*_ms`, `attempt`) must not be negative.
 *
 * `structsChecked` skips the JSON walk for events whose Struct fields the builders have
 * already produced with `toJsonObject`, so validation stays one pass.
 */
export function validateEvent(event: Event, structsChecked = false): void {
  if (typeof event !== "object" || event === null) {
    throw new ChaukasValidationError("event", "expected an Event message");
  }
  check(checkerOf(EventSchema), event, structsChecked);
  checkRules(event);
}

/**
 * Fields of an Event a builder's caller can still set wrongly: options (`severity`,
 * `author`, `invocation_id`, ...), agent ids and names, and the sub-messages made from the
 * caller's input. The builders set the rest (ids, type, status, timestamps) or have checked
 * it already (tags, pii_categories, Struct fields).
 */
const CALLER_SET_FIELDS = new Set([
  "severity",
  "author",
  "agentId",
  "agentName",
  "invocationId",
  "responseId",
  "branch",
  "content",
  "retry",
  "performance",
  "infrastructure",
  "cost",
]);
let builtEventChecker: Check | undefined;

/**
 * `validateEvent` for events the builders made: the same checks, on the fields in
 * `CALLER_SET_FIELDS` only, so the hot path does not re-check what it has just set.
 */
export function validateBuiltEvent(event: Event): void {
  builtEventChecker ??= compileMessage(EventSchema, CALLER_SET_FIELDS);
  check(builtEventChecker, event, true);
  checkRules(event);
}

function check(checker: Check, event: Event, structsChecked: boolean): void {
  try {
    checker(event, structsChecked);
  } catch (error) {
    throw withPath(error, "");
  }
}

function checkRules(event: Event): void {
  const violation = checkEventRules(event);
  if (violation !== undefined) {
    throw new ChaukasValidationError(violation.field, violation.message);
  }
}

/**
 * Checks a value and returns what to store: the value itself, or a checked copy (Struct).
 * Throws `ChaukasValidationError` whose `field` is relative to the value ("", ".x", "[2]").
 */
type Check = (value: unknown, structsChecked: boolean) => unknown;

// Compiled once per message type: the hot path is a loop over closures, with no descriptor
// lookups and no path strings (paths are assembled only when something is wrong).
const checkers = new Map<DescMessage, Check>();

function checkerOf(desc: DescMessage): Check {
  let check = checkers.get(desc);
  if (check === undefined) {
    // Registered before compiling, so a recursive message type refers to itself.
    checkers.set(desc, (value, structs) => check!(value, structs));
    check = compileMessage(desc);
    checkers.set(desc, check);
  }
  return check;
}

function fail(message: string): never {
  throw new ChaukasValidationError("", message);
}

/** Prefixes a relative path (the error travels up one level per message). */
function withPath(error: unknown, prefix: string): unknown {
  if (!(error instanceof ChaukasValidationError)) return error;
  const reason = error.message.slice(error.field.length + 2);
  // At the top the path loses its leading dot: "llm_invocation.model", not ".llm_invocation.model".
  const field = prefix === "" ? error.field.replace(/^\./, "") : prefix + error.field;
  return new ChaukasValidationError(field, reason);
}

function compileMessage(desc: DescMessage, only?: ReadonlySet<string>): Check {
  if (desc.typeName === "google.protobuf.Struct") {
    return (value, structsChecked) => (structsChecked ? value : toJsonObject(value, ""));
  }
  if (desc.typeName === "google.protobuf.Timestamp") return checkTimestamp;
  const members = desc.members
    .filter((member) => only === undefined || only.has(member.localName))
    .map((member) => {
      if (member.kind === "oneof") {
        const cases = new Map<string, [string, Check]>(
          member.fields.map((f) => [f.localName, [f.name, compileField(f)]]),
        );
        return { key: member.localName, name: member.name, oneof: cases, check: undefined };
      }
      return {
        key: member.localName,
        name: member.name,
        oneof: undefined,
        check: compileField(member),
      };
    });
  return (value, structsChecked) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(`expected a ${desc.name} message`);
    }
    const message = value as Record<string, unknown>;
    // One try for the whole loop (not one per field): `name` says where a failure happened.
    let name = "";
    try {
      for (const member of members) {
        const current = message[member.key];
        name = member.name;
        if (member.oneof !== undefined) {
          const oneof = current as { case?: unknown; value?: unknown } | undefined;
          if (oneof === undefined || oneof.case === undefined) continue;
          const entry = member.oneof.get(oneof.case as string);
          if (entry === undefined) fail(`unknown case ${JSON.stringify(oneof.case)}`);
          name = entry[0];
          const checked = entry[1](oneof.value, structsChecked);
          if (checked !== oneof.value) oneof.value = checked;
        } else {
          const checked = member.check!(current, structsChecked);
          if (checked !== current) message[member.key] = checked;
        }
      }
    } catch (error) {
      throw withPath(error, `.${name}`);
    }
    return value;
  };
}

function compileField(field: DescField): Check {
  switch (field.fieldKind) {
    case "scalar":
      return required(scalarCheck(field.scalar, isCount(field.name)));
    case "enum":
      return required(enumCheck(field.enum));
    case "message": {
      const check = checkerOf(field.message);
      return (value, structs) => (value === undefined ? value : check(value, structs));
    }
    case "list": {
      const item: Check =
        field.listKind === "message"
          ? checkerOf(field.message)
          : field.listKind === "enum"
            ? enumCheck(field.enum)
            : scalarCheck(field.scalar, isCount(field.name));
      return (value, structs) => {
        if (!Array.isArray(value)) fail("expected an array");
        for (let i = 0; i < value.length; i++) {
          try {
            const checked = item(value[i], structs);
            if (checked !== value[i]) value[i] = checked;
          } catch (error) {
            throw withPath(error, `[${i}]`);
          }
        }
        return value;
      };
    }
    default:
      // Event has no map fields; a future one would still be encoded by protobuf-es.
      return (value) => value;
  }
}

function enumCheck(desc: DescEnum): Check {
  return (value) =>
    typeof value === "number" && desc.value[value] !== undefined
      ? value
      : fail(`${String(value)} is not a value of ${desc.typeName} (see its generated enum)`);
}

function required(check: Check): Check {
  return (value, structs) => {
    if (value === undefined) fail("must not be undefined");
    return check(value, structs);
  };
}

// RFC 3339 years 0001..9999, the range google.protobuf.Timestamp allows.
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

function checkTimestamp(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("expected a Timestamp message");
  }
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  if (typeof seconds !== "bigint" || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ChaukasValidationError(".seconds", "expected a bigint between years 0001 and 9999");
  }
  if (typeof nanos !== "number" || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new ChaukasValidationError(".nanos", "expected an integer in 0..999999999");
  }
  return value;
}

function isCount(name: string): boolean {
  return name.endsWith("_tokens") || name.endsWith("_ms") || name === "attempt";
}

function scalarCheck(type: ScalarType, count: boolean): Check {
  switch (type) {
    case ScalarType.STRING:
      return (value) =>
        typeof value === "string" ? value : fail(`expected a string, got ${typeof value}`);
    case ScalarType.BOOL:
      return (value) =>
        typeof value === "boolean" ? value : fail(`expected a boolean, got ${typeof value}`);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return (value) => {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          fail(`expected a finite number, got ${String(value)}`);
        }
        return value < 0 && count ? fail(`must not be negative, got ${value}`) : value;
      };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return integerCheck(count ? 0 : -(2 ** 31), 2 ** 31 - 1);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return integerCheck(0, 2 ** 32 - 1);
    case ScalarType.BYTES:
      return (value) => (value instanceof Uint8Array ? value : fail("expected a Uint8Array"));
    default:
      // 64-bit integers: protobuf-es uses bigint (or a decimal string with jstype=JS_STRING).
      return (value) =>
        typeof value === "bigint" || (typeof value === "string" && /^-?\d+$/.test(value))
          ? value
          : fail("expected a bigint");
  }
}

function integerCheck(min: number, max: number): Check {
  return (value) => {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      fail(`expected an integer, got ${String(value)}`);
    }
    return value < min || value > max ? fail(`${value} is out of range ${min}..${max}`) : value;
  };
}
