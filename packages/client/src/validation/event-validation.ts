// Checks of an event against its proto schema before it is queued: types, enums, ranges, JSON.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { checkBuiltEventRules, checkEventRules } from "./event-content-rules.js";
import { jsonObject } from "./struct.js";
import { expected, type FieldPath, fail } from "./validation-error.js";

/**
 * Validates an event before it is queued, throwing `ChaukasValidationError` with the
 * field's proto path. Checks every field by its descriptor: strings are strings, int32
 * fields are integers in range, doubles are finite, enums are known values, timestamps are
 * well-formed, and `Struct` fields hold plain JSON (replaced by a checked copy, see
 * `toJsonObject`). Counts (fields named `*_tokens`, `*_ms`, `attempt`) must not be negative.
 * Then the spec's rules (`checkEventRules`): which content goes with which type is left open,
 * as the spec leaves it.
 *
 * `structsChecked` skips the JSON walk for events whose Struct fields the builders have
 * already produced with `toJsonObject`.
 */
export function validateEvent(event: Event, structsChecked = false): void {
  checkMessage(EventSchema, event, [], structsChecked);
  failOn(checkEventRules(event));
}

/**
 * The checks left for an event the builders made: the rules that tie its fields together
 * (`checkBuiltEventRules`: the spec's, and the content each type gets from our builders). Every value a builder's caller gives (options, inputs, the active
 * context's agent) is checked where the builder reads it, with `checkField` or the JSON and list
 * copies, so the built event is not walked again.
 */
export function validateBuiltEvent(event: Event): void {
  failOn(checkBuiltEventRules(event));
}

/**
 * Checks one value of a singular field as `validateEvent` does (a scalar's type, a count's
 * sign, an enum's known values, a message's fields and a Timestamp's range) and returns what to
 * store: for builders, which check a caller's input where they read it. `at` is the path of the
 * message holding the field (`[]` for the event itself); the field's path is made only on
 * failure. An unset message field (`undefined`) is accepted.
 */
export function checkField(field: DescField, value: unknown, at: FieldPath): unknown {
  if (field.message) {
    return value === undefined
      ? value
      : checkMessage(field.message, value, [...at, field.name], false);
  }
  const what = scalarMismatch(field, value);
  if (what !== undefined) fail([...at, field.name], expected(what, value));
  return value;
}

function failOn(violation: { field: string; message: string } | undefined): void {
  if (violation) fail([violation.field], violation.message);
}

// RFC 3339 years 0001..9999, the range google.protobuf.Timestamp allows.
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

/**
 * Checks a message at `path` and returns what to store: the message, or for a Struct its
 * checked copy. Messages are plain objects, so one walk over the descriptor does it all.
 */
function checkMessage(
  desc: DescMessage,
  value: unknown,
  path: FieldPath,
  structs: boolean,
): unknown {
  if (desc.typeName === "google.protobuf.Struct") return structs ? value : jsonObject(value, path);
  if (typeof value !== "object" || !value || Array.isArray(value)) {
    fail(path, expected(desc.typeName, value));
  }
  const message = value as Record<string, unknown>;
  for (const member of desc.members) {
    let holder = message;
    let key = member.localName;
    let field = member as DescField | undefined;
    if (member.kind === "oneof") {
      // `{ case, value }`: only the set case is checked (an unknown one is for checkEventRules).
      holder = message[key] as Record<string, unknown>;
      field = desc.field[holder?.case as string];
      if (field?.oneof !== member) continue;
      key = "value";
    }
    const current = holder[key];
    path.push(field!.name);
    if (field!.fieldKind === "list") {
      if (!Array.isArray(current)) fail(path, expected("an array", current));
      for (let i = 0; i < current.length; i++) {
        path.push(i);
        const checked = checkValue(field!, current[i], path, structs);
        if (checked !== current[i]) current[i] = checked;
        path.pop();
      }
    } else if (field!.fieldKind !== "map" && !(field!.message && current === undefined)) {
      // Event has no map fields; protobuf-es would still encode a future one.
      const checked = checkValue(field!, current, path, structs);
      if (checked !== current) holder[key] = checked;
    }
    path.pop();
  }
  if (desc.typeName === "google.protobuf.Timestamp") {
    // Types are checked above (seconds an int64, nanos an int32); here their ranges.
    const { seconds, nanos } = message as { seconds: bigint; nanos: number };
    if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS && nanos >= 0 && nanos < 1e9)) {
      fail(path, `expected years 0001..9999 and nanos 0..999999999, got ${seconds}s ${nanos}ns`);
    }
  }
  return value;
}

/** One value of a field (or one item of a list field); returns what to store. */
function checkValue(field: DescField, value: unknown, path: FieldPath, structs: boolean): unknown {
  if (field.message) return checkMessage(field.message, value, path, structs);
  const what = scalarMismatch(field, value);
  if (what !== undefined) fail(path, expected(what, value));
  return value;
}

/** What a scalar or enum field's value should have been, or `undefined` if it is fine. */
function scalarMismatch(field: DescField, value: unknown): string | undefined {
  const type = field.scalar!;
  const ok = field.enum
    ? typeof value === "number" && field.enum.value[value]
    : isScalar(type, value);
  if (!ok) {
    return (
      field.enum?.typeName ??
      (type === ScalarType.DOUBLE ? "a finite number" : ScalarType[type]!.toLowerCase())
    );
  }
  // Counts (token counts, durations, the attempt number) must not be negative.
  const negative = typeof value === "number" && value < 0;
  return negative && /_tokens$|_ms$|^attempt$/.test(field.name) ? "a count >= 0" : undefined;
}

/**
 * Whether `value` is what protobuf-es holds for a scalar type. Only
 * the types Event uses: any other rejects every value, so a new one cannot pass unchecked.
 */
function isScalar(type: ScalarType, value: unknown): boolean {
  switch (type) {
    case ScalarType.STRING:
      return typeof value === "string";
    case ScalarType.BOOL:
      return typeof value === "boolean";
    case ScalarType.BYTES: // google.protobuf.Any
      return value instanceof Uint8Array;
    case ScalarType.DOUBLE:
      return Number.isFinite(value);
    case ScalarType.INT32: // `| 0` keeps exactly the integers in int32 range.
      return typeof value === "number" && (value | 0) === value;
    case ScalarType.INT64: // Timestamp.seconds
      return typeof value === "bigint";
  }
  return false;
}
