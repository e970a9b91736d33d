import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { checkEventRules } from "./event-content-rules.js";
import { jsonObject } from "./struct.js";
import { expected, type FieldPath, fail } from "./validation-error.js";

/**
 * Validates an event before it is queued, throwing `ChaukasValidationError` with the
 * field's proto path. Checks every field by its descriptor: strings are strings, int32
 * fields are integers in range, doubles are finite, enums are known values, timestamps are
 * well-formed, and `Struct` fields hold plain JSON (replaced by a checked copy, see
 * `toJsonObject`). Counts (fields named `*_tokens`, `*_ms`, `attempt`) must not be negative.
 * Then the structural rules (`checkEventRules`).
 *
 * `structsChecked` skips the JSON walk for events whose Struct fields the builders have
 * already produced with `toJsonObject`.
 */
export function validateEvent(event: Event, structsChecked = false): void {
  validate(event, EventSchema.fields, structsChecked);
}

let builtEventFields: readonly DescField[] | undefined;

/**
 * `validateEvent` for events the builders made: the same checks on the fields their caller
 * can still set wrongly, so the hot path does not re-check what the builder has just set
 * (ids, type, status, timestamps) or checked (tags, pii_categories, Struct fields).
 */
export function validateBuiltEvent(event: Event): void {
  // The content, severity 8, author 10, agent_id, agent_name, invocation_id, response_id
  // 12..15, branch 21, retry 60, performance, infrastructure, cost 70..72.
  builtEventFields ??= EventSchema.fields.filter(
    (f) => f.oneof || [8, 10, 12, 13, 14, 15, 21, 60, 70, 71, 72].includes(f.number),
  );
  validate(event, builtEventFields, true);
}

function validate(event: Event, fields: readonly DescField[], structsChecked: boolean): void {
  checkMessage(EventSchema, event, [], structsChecked, fields);
  const violation = checkEventRules(event);
  if (violation) fail([violation.field], violation.message);
}

// RFC 3339 years 0001..9999, the range google.protobuf.Timestamp allows.
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

/**
 * A field as the walk reads it. Descriptor objects come in several shapes, which makes
 * reading them in a hot loop slow; steps have one shape, made once per field list.
 */
interface Step {
  /** The proto name, for the path. */
  readonly name: string;
  readonly key: string;
  /** The oneof's property, for a oneof member: it holds `{ case, value }`. */
  readonly oneof: string | undefined;
  readonly list: boolean;
  readonly message: DescMessage | undefined;
  /** Enum values by number. */
  readonly values: Record<number, unknown> | undefined;
  readonly scalar: ScalarType | undefined;
  /** Token counts, durations and the attempt number must not be negative. */
  readonly count: boolean;
  /** A valid value, as an error message says it. */
  readonly expected: string;
}

const plans = new Map<readonly DescField[], readonly Step[]>();

function planOf(fields: readonly DescField[]): readonly Step[] {
  let plan = plans.get(fields);
  if (!plan) {
    plan = fields
      // Event has no map fields; protobuf-es would still encode a future one.
      .filter((f) => f.fieldKind !== "map")
      .map((f) => ({
        name: f.name,
        key: f.localName,
        oneof: f.oneof?.localName,
        list: f.fieldKind === "list",
        message: f.message,
        values: f.enum?.value,
        scalar: f.scalar,
        count: /_tokens$|_ms$|^attempt$/.test(f.name),
        expected:
          f.enum?.typeName ??
          (f.scalar === 1 ? "a finite number" : (ScalarType[f.scalar!]?.toLowerCase() ?? "")),
      }));
    plans.set(fields, plan);
  }
  return plan;
}

/**
 * Checks a message at `path` and returns what to store: the message, or for a Struct its
 * checked copy. Messages are plain objects, so one walk over the descriptor does it all.
 */
function checkMessage(
  desc: DescMessage,
  value: unknown,
  path: FieldPath,
  structs: boolean,
  fields: readonly DescField[] = desc.fields,
): unknown {
  if (desc.typeName === "google.protobuf.Struct") return structs ? value : jsonObject(value, path);
  if (typeof value !== "object" || !value || Array.isArray(value)) {
    fail(path, expected(desc.typeName, value));
  }
  const message = value as Record<string, unknown>;
  for (const step of planOf(fields)) {
    let holder = message;
    let key = step.key;
    if (step.oneof) {
      // Only the set case is checked (an unknown case is for checkEventRules).
      holder = message[step.oneof] as Record<string, unknown>;
      if (holder?.case !== key) continue;
      key = "value";
    }
    const current = holder[key];
    path.push(step.name);
    if (step.list) {
      if (!Array.isArray(current)) fail(path, expected("an array", current));
      for (let i = 0; i < current.length; i++) {
        path.push(i);
        const checked = checkValue(step, current[i], path, structs);
        if (checked !== current[i]) current[i] = checked;
        path.pop();
      }
    } else if (!(step.message && current === undefined)) {
      const checked = checkValue(step, current, path, structs);
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
function checkValue(step: Step, value: unknown, path: FieldPath, structs: boolean): unknown {
  if (step.message) return checkMessage(step.message, value, path, structs);
  const ok = step.values
    ? typeof value === "number" && step.values[value]
    : isScalar(step.scalar!, value);
  if (!ok || (step.count && (value as number) < 0)) {
    fail(path, expected(ok ? "a count >= 0" : step.expected, value));
  }
  return value;
}

/**
 * Whether `value` is what protobuf-es holds for a scalar type (numbers: its ScalarType). Only
 * the types Event uses: any other rejects every value, so a new one cannot pass unchecked.
 */
function isScalar(type: ScalarType, value: unknown): boolean {
  switch (type) {
    case 9: // STRING
      return typeof value === "string";
    case 8: // BOOL
      return typeof value === "boolean";
    case 12: // BYTES (google.protobuf.Any)
      return value instanceof Uint8Array;
    case 1: // DOUBLE
      return Number.isFinite(value);
    case 5: // INT32: `| 0` keeps exactly the integers in int32 range.
      return typeof value === "number" && (value | 0) === value;
    case 3: // INT64 (Timestamp.seconds)
      return typeof value === "bigint";
  }
  return false;
}
