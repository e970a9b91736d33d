import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ChaukasValidationError } from "./validation-error.js";

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
 *   (URL, Decimal libraries, …) are replaced by what it returns, which is checked in turn.
 *
 * Rejected with a `ChaukasValidationError` naming the path (`tool_call.arguments.q[2]`):
 * `undefined` in arrays or at the top, functions, symbols, bigints, `NaN`/`±Infinity`,
 * invalid dates, cycles, nesting deeper than `MAX_JSON_DEPTH`, and any other class
 * instance (Map, Set, typed arrays, errors, …) whose data JSON would silently lose.
 */
export function toJsonObject(value: unknown, field: string): JsonObject {
  let json: JsonValue;
  try {
    json = toJsonValue(value, new Set(), 0);
  } catch (error) {
    if (error instanceof JsonError) {
      throw new ChaukasValidationError(field + error.path.reverse().join(""), error.reason);
    }
    throw error;
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ChaukasValidationError(field, `expected a plain JSON object, got ${describe(value)}`);
  }
  return json as JsonObject;
}

/** Like `toJsonObject`, but `undefined` means "not set". */
export function toOptionalJsonObject(value: unknown, field: string): JsonObject | undefined {
  return value === undefined ? undefined : toJsonObject(value, field);
}

/**
 * What is wrong and where: path segments (`.key`, `[2]`) collected innermost first while the
 * error travels up, so the valid path costs no string building.
 */
class JsonError {
  readonly path: string[] = [];
  constructor(readonly reason: string) {}
}

function withSegment(error: unknown, segment: string): unknown {
  if (error instanceof JsonError) error.path.push(segment);
  return error;
}

function toJsonValue(value: unknown, ancestors: Set<object>, depth: number): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new JsonError(`${value} is not a JSON number`);
      }
      return value;
    case "object":
      break;
    default:
      throw new JsonError(`${describe(value)} is not a JSON value`);
  }
  if (value === null) {
    return null;
  }
  if (depth >= MAX_JSON_DEPTH) {
    throw new JsonError(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (ancestors.has(value)) {
    throw new JsonError("cyclic reference");
  }
  if (Array.isArray(value)) {
    ancestors.add(value);
    const out: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      try {
        if (item === undefined) {
          throw new JsonError("undefined is not a JSON value");
        }
        out[i] = toJsonValue(item, ancestors, depth + 1);
      } catch (error) {
        throw withSegment(error, `[${i}]`);
      }
    }
    ancestors.delete(value);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        throw new JsonError("invalid Date");
      }
      return value.toISOString();
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      ancestors.add(value);
      const replaced = toJsonValue(toJSON.call(value), ancestors, depth);
      ancestors.delete(value);
      return replaced;
    }
    throw new JsonError(
      `${describe(value)} is not plain JSON; convert it to an object, array or string first`,
    );
  }
  ancestors.add(value);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== undefined) {
      let json: JsonValue;
      try {
        json = toJsonValue(item, ancestors, depth + 1);
      } catch (error) {
        throw withSegment(error, childPath("", key));
      }
      if (key === "__proto__") {
        // defineProperty, not assignment, so a "__proto__" key stays a plain data key.
        Object.defineProperty(out, key, {
          value: json,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = json;
      }
    }
  }
  ancestors.delete(value);
  return out;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a.b` for identifier keys, `a["x y"]` otherwise: a path a person can paste. */
export function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  switch (typeof value) {
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    case "bigint":
      return "a bigint";
    case "undefined":
      return "undefined";
    case "object": {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
        ?.constructor?.name;
      return name ? `an instance of ${name}` : "an object";
    }
    default:
      return `a ${typeof value}`;
  }
}
