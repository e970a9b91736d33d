/** How anything thrown becomes an event's `error` content or a failed END's `metadata.error`. */

import type { JsonObject } from "@bufbuild/protobuf";
import type { ErrorInfo } from "@chaukas/spec/common/v1";
import { type Content, errorInfo } from "./content-messages.js";

/**
 * Describes anything thrown as an `ErrorInfo`. An `Error` or a plain `{ message, code, stack,
 * recoverable, recoveryAction }` object gives those fields (an `Error` without a message its
 * name, a code only when a string or number); anything else is converted with `String()`.
 */
export function errorInfoFrom(error: unknown): ErrorInfo {
  // Anything but an object is its own message; so is an object without one ("[object Object]").
  const {
    message = error,
    code,
    stack,
    recoverable,
    recoveryAction,
  } = ((typeof error === "object" && error) || {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return errorInfo(
    message === "" && error instanceof Error ? error.name : String(message),
    typeof code === "number" ? String(code) : text(code),
    text(stack),
    recoverable === true,
    text(recoveryAction),
  );
}

/** The `metadata.error` entry of a failed span's END event. */
export function errorMetadata(error: unknown): JsonObject {
  const { errorMessage: message, errorCode: code } = errorInfoFrom(error);
  return { error: code ? { message, code } : { message } };
}

/** `error` content from anything thrown. */
export function errorContent(error: unknown): Content {
  return { case: "error", value: errorInfoFrom(error) };
}
