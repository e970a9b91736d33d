/**
 * Reading values a framework hands an integration: they hold whatever the framework, the model
 * provider and the app put there, so each is checked where it is read, and a value of the
 * wrong kind is left out (`undefined`) rather than refused.
 */

/** The object's own fields to read, or no fields when it is not an object. */
export function fieldsOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The number when it is a non-negative int32 (a token count), else `undefined`. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1
    ? value
    : undefined;
}

/** The finite number, else `undefined` (a model setting left unset). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The string when it is a non-empty string, else `undefined`. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
