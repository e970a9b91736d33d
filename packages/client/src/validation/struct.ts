// Caller JSON into `google.protobuf.Struct` fields: what is accepted, copied and refused.

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { expected, type FieldPath, fail } from "./validation-error.js";

/**
 * How deep a JSON value may nest. Every JSON level is two protobuf message levels
 * (Struct → Value), and common decoders stop at 100 message levels; 32 stays well clear.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Checks that `value` is a plain JSON object and returns a copy that is safe to put in a
 * `google.protobuf.Struct` field (protobuf-es represents those as `JsonObject`). The copy
 * matters: events are encoded later, off the caller's stack, and must not change if the
 * caller mutates its object after emitting.
 *
 * What is accepted, following `JSON.stringify` where it is lossless:
 * - `null`, booleans, strings, finite numbers, arrays, plain objects (prototype
 *   `Object.prototype` or `null`);
 * - object properties whose value is `undefined` are left out (as `JSON.stringify` does);
 * - a valid `Date` becomes its ISO-8601 string; other objects with a `toJSON()` method
 *   (URL, Decimal libraries, …) are replaced by what it returns, which is checked in turn
 *   (one level deeper).
 *
 * Rejected with a `ChaukasValidationError` naming the path (`tool_call.arguments.q[2]`):
 * `undefined` in arrays or at the top, functions, symbols, bigints, `NaN`/`±Infinity`,
 * invalid dates, cycles, nesting deeper than `MAX_JSON_DEPTH`, and any other class
 * instance (Map, Set, typed arrays, errors, …) whose data JSON would silently lose.
 */
export function toJsonObject(value: unknown, field: string): JsonObject {
  return jsonObject(value, [field]);
}

/** Like `toJsonObject`, but `undefined` means "not set". */
export function toOptionalJsonObject(value: unknown, field: string): JsonObject | undefined {
  return value === undefined ? undefined : toJsonObject(value, field);
}

/** `toJsonObject` at a path (the event checks pass the event's path). */
export function jsonObject(value: unknown, path: FieldPath): JsonObject {
  const json = toJsonValue(value, path, []);
  if (json && typeof json === "object" && !Array.isArray(json)) return json;
  fail(path, expected("a JSON object", value));
}

/** Whether `value` is JSON as it is: a string, boolean, `null` or finite number. */
function isJsonScalar(value: unknown): value is string | boolean | number | null {
  const type = typeof value;
  return type === "string" || type === "boolean" || value === null || Number.isFinite(value);
}

/**
 * `ancestors`: the objects above this one, for cycles and depth. Scalars inside objects and
 * arrays are checked in their parent's loop, so a path is pushed only to go into an object.
 */
function toJsonValue(value: unknown, path: FieldPath, ancestors: object[]): JsonValue {
  if (isJsonScalar(value)) return value;
  if (typeof value !== "object") fail(path, expected("a JSON value", value));
  const object = value as Record<string, unknown>;
  if (ancestors.includes(object)) fail(path, "cyclic reference");
  if (ancestors.length >= MAX_JSON_DEPTH) fail(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  ancestors.push(object);
  let json: JsonValue;
  const proto: unknown = Object.getPrototypeOf(object);
  if (Array.isArray(object)) {
    json = copyArray(object, path, ancestors);
  } else if (proto === Object.prototype || proto === null) {
    json = copyObject(object, path, ancestors);
  } else if (object instanceof Date && Number.isNaN(object.getTime())) {
    fail(path, "invalid Date");
  } else if (typeof object.toJSON === "function") {
    // A valid Date's toJSON() is its ISO-8601 string.
    json = toJsonValue(object.toJSON(), path, ancestors);
  } else {
    fail(path, expected("plain JSON (an object, array or string)", object));
  }
  ancestors.pop();
  return json;
}

function copyArray(array: unknown[], path: FieldPath, ancestors: object[]): JsonValue[] {
  // Indexes, not map(): a hole is `undefined`, rejected (JSON.stringify would make it null).
  const out: JsonValue[] = [];
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    out.push(isJsonScalar(item) ? item : child(item, i, path, ancestors));
  }
  return out;
}

function copyObject(
  object: Record<string, unknown>,
  path: FieldPath,
  ancestors: object[],
): JsonObject {
  let out: JsonObject = {};
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (item === undefined) continue;
    const json = isJsonScalar(item) ? item : child(item, key, path, ancestors);
    // A computed key in a literal defines a data property: "__proto__" stays a plain key.
    if (key === "__proto__") out = { ...out, [key]: json };
    else out[key] = json;
  }
  return out;
}

function child(value: unknown, key: string | number, path: FieldPath, ancestors: object[]) {
  path.push(key);
  const json = toJsonValue(value, path, ancestors);
  path.pop();
  return json;
}
