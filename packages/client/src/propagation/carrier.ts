/**
 * Where propagated headers are read from and written to: a Fetch `Headers`, a plain object of
 * headers (Node's `IncomingHttpHeaders`, an `init.headers` object), or an MCP `_meta` object.
 */

/** A `Headers`-like carrier. */
export interface HeadersCarrier {
  get(name: string): string | null;
  set(name: string, value: string): void;
}

/** A plain object of headers or an MCP request's `params._meta`. */
export type RecordCarrier = Record<string, unknown>;

/** What `inject` writes to and `extract` reads from. */
export type Carrier = HeadersCarrier | RecordCarrier;

function isHeaders(carrier: Carrier): carrier is HeadersCarrier {
  return typeof carrier.get === "function" && typeof carrier.set === "function";
}

/**
 * A record's key for `name`, matching case-insensitively (HTTP header names are), or
 * `undefined`.
 */
function recordKey(carrier: RecordCarrier, name: string): string | undefined {
  if (Object.hasOwn(carrier, name)) return name;
  for (const key of Object.keys(carrier)) if (key.toLowerCase() === name) return key;
  return undefined;
}

/**
 * The value of `name` (lower case), or `undefined`. A value that is not a string (Node gives
 * repeated headers as arrays) is not read: a repeated `traceparent` is invalid anyway.
 */
export function getCarried(carrier: Carrier, name: string): string | undefined {
  if (isHeaders(carrier)) return carrier.get(name) ?? undefined;
  const key = recordKey(carrier, name);
  const value = key === undefined ? undefined : carrier[key];
  return typeof value === "string" ? value : undefined;
}

/** Sets `name` (lower case) to `value`, replacing a key of another case in a record. */
export function setCarried(carrier: Carrier, name: string, value: string): void {
  if (isHeaders(carrier)) {
    carrier.set(name, value);
    return;
  }
  const key = recordKey(carrier, name);
  if (key !== undefined && key !== name) delete carrier[key];
  carrier[name] = value;
}
