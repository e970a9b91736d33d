/**
 * `ChaukasValidationError`, the one error the SDK throws into a caller, and `expected`, the wording
 * of its messages.
 */
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
