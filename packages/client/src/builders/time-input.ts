/**
 * Times the caller gives: to the builders (`startTime`, `endTime`, `time`) and to query filters.
 * One reading for both, so a value that works in one works in the other.
 */

import { ChaukasValidationError } from "../validation/validation-error.js";

/** A time given as a `Date`, an RFC 3339 / ISO-8601 string, or Unix milliseconds. */
export type TimeInput = Date | string | number;

/**
 * Unix milliseconds of `value`, which may be fractional. Throws `ChaukasValidationError` naming
 * `field` for anything that is not a time: an invalid `Date`, an unparsable string, `NaN`,
 * infinities, a time before 1970, or a value of another type.
 */
export function epochMsOf(value: unknown, field: string): number {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === "string"
        ? Date.parse(value)
        : typeof value === "number"
          ? value
          : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ChaukasValidationError(
      field,
      `cannot read ${String(value)} as a time (a Date, an RFC 3339 string or Unix milliseconds)`,
    );
  }
  if (ms < 0) throw new ChaukasValidationError(field, `expected a time after 1970, got ${ms}`);
  return ms;
}
