/**
 * Thrown synchronously at the call site when an event or option can never be valid: the
 * event is not queued. `field` is the path in proto names (`tool_call.arguments.q[2]`,
 * `llm_invocation.prompt_tokens`), so the message points at what to fix.
 *
 * It is the only error the SDK throws into the caller: transport failures go to `onError`
 * and the stats, never to the caller's stack.
 */
export class ChaukasValidationError extends Error {
  override name = "ChaukasValidationError";
  /** The offending field as a proto path, e.g. `llm_invocation.prompt_tokens`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * Where a check is: the field it started at, then the keys (JSON keys, proto field names)
 * and list indexes it went into. Pushed and popped on the way and formatted only on failure,
 * so a valid value costs no path strings.
 */
export type FieldPath = (string | number)[];

/**
 * Throws the `ChaukasValidationError` for `path`, e.g. `tool_call.arguments.q[2]` (the
 * empty path of the event checks is the event itself).
 */
export function fail(path: FieldPath, reason: string): never {
  const field = path.map((key, i) =>
    typeof key === "number" ? `[${key}]` : i ? childPath("", key) : key,
  );
  throw new ChaukasValidationError(field.join("") || "event", reason);
}

/** `expected …, got …`: what a check wanted, and the value as a message can show it. */
export function expected(what: string, value: unknown): string {
  const type = typeof value;
  const shown =
    type === "string"
      ? JSON.stringify((value as string).slice(0, 40)) // quoted, escaped, never a huge string
      : type === "bigint"
        ? `${value}n`
        : type === "object" && value
          ? `an instance of ${Object.getPrototypeOf(value)?.constructor?.name ?? "no class"}`
          : String(value).slice(0, 40); // a function's source is cut short too
  return `expected ${what}, got ${shown}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a.b` for identifier keys, `a["x y"]` otherwise: a path a person can paste. */
export function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
