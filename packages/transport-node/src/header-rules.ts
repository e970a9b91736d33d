import { ChaukasConfigError } from "./config-error.js";

// RFC 9110 token characters: what an HTTP field name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// CR and LF would let a value start a new header line (header injection); NUL is never valid.
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/** Throws a `ChaukasConfigError` naming `setting` if `value` could not travel as a header value. */
export function assertHeaderValue(setting: string, value: string): void {
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new ChaukasConfigError(
      setting,
      "a header value without CR, LF or NUL characters",
      "contains a line break or NUL",
    );
  }
}

/** Throws a `ChaukasConfigError` naming `setting` if `name` is not an HTTP field name. */
export function assertHeaderName(setting: string, name: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new ChaukasConfigError(setting, "an HTTP header name (letters, digits, -_.!#$%&'*+^`|~)");
  }
}
