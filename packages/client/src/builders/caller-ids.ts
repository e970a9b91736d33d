/** Ids the caller may give a span (a framework's own, or a remote caller's): checked, never trusted. */

import { ChaukasValidationError } from "../validation/validation-error.js";

const SPAN_ID = /^(?!0{16}$)[\da-f]{16}$/;
const TRACE_ID = /^(?!0{32}$)[\da-f]{32}$/;

/** A W3C span id: 16 lowercase hex characters, not all zeros; else `ChaukasValidationError`. */
export function checkSpanId(value: unknown, field = "span_id"): string {
  if (typeof value === "string" && SPAN_ID.test(value)) return value;
  throw new ChaukasValidationError(
    field,
    "expected 16 lowercase hex characters, not all zeros (a W3C span id)",
  );
}

/** A W3C trace id: 32 lowercase hex characters, not all zeros; else `ChaukasValidationError`. */
export function checkTraceId(value: unknown, field = "trace_id"): string {
  if (typeof value === "string" && TRACE_ID.test(value)) return value;
  throw new ChaukasValidationError(
    field,
    "expected 32 lowercase hex characters, not all zeros (a W3C trace id)",
  );
}
