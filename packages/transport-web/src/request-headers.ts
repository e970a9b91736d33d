/**
 * The headers every call carries: the user's own plus `authorization: Bearer <apiKey>`. Checked
 * once, when the transport is created, so a CR/LF smuggled into a key or header value fails at
 * the call site with the option's name instead of as an opaque fetch error on the first export.
 */
export function createRequestHeaders(
  apiKey: string | undefined,
  headers: Readonly<Record<string, string>> = {},
): [string, string][] {
  const result = Object.entries(headers).map(([name, value]): [string, string] => {
    // RFC 9110 token characters: what fetch's Headers accepts as a name.
    if (!/^[!#$%&'*+\-.^`|~\w]+$/.test(name)) {
      throw new TypeError(`headers: ${JSON.stringify(name)} is not a valid HTTP header name`);
    }
    return [name, checkHeaderValue(value, `headers["${name}"]`)];
  });
  if (apiKey !== undefined) {
    // The message names the option, never the key itself.
    result.push(["authorization", `Bearer ${checkHeaderValue(apiKey, "apiKey")}`]);
  }
  return result;
}

function checkHeaderValue(value: unknown, option: string): string {
  if (typeof value !== "string") {
    throw new TypeError(`${option} must be a string`);
  }
  if (/[\r\n\0]/.test(value)) {
    throw new TypeError(`${option} must not contain CR, LF or NUL characters`);
  }
  return value;
}
