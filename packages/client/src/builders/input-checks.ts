/**
 * How the builders read what the caller gives: each value checked where it is read, as
 * `validateEvent` checks it (`checkField`, by the field's descriptor), with errors naming the
 * proto path. One set of rules for every builder.
 */

import type { DescField, JsonObject } from "@bufbuild/protobuf";
import { checkField } from "../validation/event-validation.js";
import { type FieldPath, formatFieldPath } from "../validation/field-path.js";
import { jsonObject } from "../validation/struct.js";
import { ChaukasValidationError } from "../validation/validation-error.js";

/** Checks a list of strings given by the caller and copies it; `undefined` is an empty list. */
export function copyStrings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ChaukasValidationError(field, "expected an array of strings");
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") requireString(value[i], `${field}[${i}]`, true);
  }
  return [...(value as string[])];
}

/** Rejects a required string that is not a string, or is empty unless `emptyOk`. */
export function requireString(value: unknown, field: string, emptyOk?: boolean): string {
  if (typeof value !== "string" || !(value || emptyOk)) {
    throw new ChaukasValidationError(field, `expected a ${emptyOk ? "" : "non-empty "}string`);
  }
  return value;
}

/*
 * The messages the builders put in an event's content and attachments, one function per
 * message type, each an object literal with `$typeName` and every field (as the Event in
 * `buildEvent`) whose values are checked where they are read, as `validateEvent` checks them
 * (`checkField`, by the field's descriptor), with errors naming the proto path
 * (`tool_call.arguments.q`). Code that copies fields under computed names (`create`, or one
 * generic maker over the descriptor) goes through V8's slowest property accesses: ~0.4 µs
 * more per message here (bench/README.md, History).
 *
 * `input` is the caller's object (a non-object counts as empty); as `create` read it, every
 * field the builder does not set itself comes from it, and a `null` there means "not set". A
 * value the builder passes is checked as it is, `null` included. `at` is the path of the
 * message: its one Event field name (`["tool_call"]`).
 */

/** Every field of message `M` (a field added to the proto is a compile error). */
export type EveryField<M> = { [K in Exclude<keyof M, "$unknown">]-?: unknown };

/** A caller's input: its own properties, read by name. */
export type Input = { readonly [key: string]: unknown };
const NO_INPUT: Input = Object.freeze({});

/** A string counts as empty, never as an object of its characters. */
export function inputOf(input: unknown): Input {
  return ((typeof input === "object" && input) || NO_INPUT) as Input;
}

/**
 * A scalar from the caller: `zero` (the builder's default) when not given (`undefined` or
 * `null`), else checked.
 */
export function given<T>(field: DescField, value: unknown, zero: T, at: FieldPath): T {
  return value == null ? zero : (checkField(field, value, at) as T);
}

/** A value the builder passes, checked as it is. */
export function checked<T>(field: DescField, value: T, at: FieldPath): T {
  return checkField(field, value, at) as T;
}

/** A required string from the caller: non-empty (`tool_call.name`). */
export function requiredString(field: DescField, value: unknown, at: FieldPath): string {
  return typeof value === "string" && value !== ""
    ? value
    : requireString(value, formatFieldPath([...at, field.name]));
}

/** A Struct: checked and copied (`toJsonObject`); `undefined` is not set. */
export function json(field: DescField, value: unknown, at: FieldPath): JsonObject | undefined {
  return value === undefined ? undefined : jsonObject(value, [at[0]!, field.name]);
}

/** A Struct from the caller, where `null` is not set too. */
export function givenJson(field: DescField, value: unknown, at: FieldPath): JsonObject | undefined {
  return json(field, value ?? undefined, at);
}

/** A list of strings from the caller, copied; `undefined` and `null` are an empty list. */
export function givenStrings(field: DescField, value: unknown, at: FieldPath): string[] {
  return copyStrings(value ?? undefined, formatFieldPath([...at, field.name]));
}
