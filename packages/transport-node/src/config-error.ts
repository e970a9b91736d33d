/**
 * A setting of `@chaukas/transport-node` is missing or malformed: an option of
 * `createNodeTransport` / `createChaukasNodeClient` or a `CHAUKAS_*` environment variable.
 * The message names the setting and the form it expects; it never repeats the value, which
 * may be a secret.
 */
export class ChaukasConfigError extends Error {
  override name = "ChaukasConfigError";
  /** The option path (`apiKey`, `headers.x-team`) or the environment variable name. */
  readonly setting: string;
  /** The form the setting expects, in words. */
  readonly expected: string;

  constructor(setting: string, expected: string, problem = "is malformed") {
    super(`${setting} ${problem}: expected ${expected}`);
    this.setting = setting;
    this.expected = expected;
  }
}
