/**
 * The headers every call carries: `authorization: Bearer <apiKey>` plus the user's own. Checked
 * once, when the transport is created, so a CR/LF smuggled into a key or header value fails at
 * the call site with the option's name instead of as an opaque fetch error on the first export.
 */
export function createRequestHeaders(
  apiKey: string | undefined,
  headers: Readonly<Record<string, string>> | undefined,
): ReadonlyArray<readonly [string, string]> {
  const result: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    checkHeaderName(name);
    checkHeaderValue(value, `headers["${name}"]`);
    result.push([name.toLowerCase(), value]);
  }
  if (apiKey !== undefined) {
    // Never echo the key itself in the message.
    checkHeaderValue(apiKey, "apiKey");
    result.push(["authorization", `Bearer ${apiKey}`]);
  }
  return result;
}

// RFC 9110 token characters: what fetch's Headers accepts as a name.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkHeaderName(name: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new TypeError(`headers: ${JSON.stringify(name)} is not a valid HTTP header name`);
  }
}

function checkHeaderValue(value: string, option: string): void {
  if (typeof value !== "string") {
    throw new TypeError(`${option} must be a string`);
  }
  if (/[\r\n\0]/.test(value)) {
    throw new TypeError(`${option} must not contain CR, LF or NUL characters`);
  }
}
