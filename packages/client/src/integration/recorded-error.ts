// What an integration records of an error thrown in the framework, with or without its message.

import type { ErrorInit } from "../builders/builder-types.js";

/**
 * What a framework threw (a provider's API error, a tool's own error, any thrown value) as the
 * client's `ErrorInit`, for `fail(...)` and `error(...)`: its message, code (else the error's
 * name) and stack. Without `recordOutputs` only the error's kind and code are kept: a message or
 * a stack (whose first line repeats the message) may quote the prompt, arguments or results.
 */
export function recordedError(
  error: unknown,
  recordOutputs: boolean,
  extra?: Pick<ErrorInit, "recoverable" | "recoveryAction">,
): ErrorInit {
  const fields = (typeof error === "object" && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const kind = error instanceof Error ? error.name : typeof error;
  const code =
    typeof fields.code === "string" || typeof fields.code === "number"
      ? fields.code
      : error instanceof Error
        ? error.name
        : undefined;
  const message = !recordOutputs
    ? unrecordedMessage(kind)
    : typeof fields.message === "string" && fields.message !== ""
      ? fields.message
      : error instanceof Error
        ? error.name
        : String(error);
  return {
    message,
    ...(code === undefined ? {} : { code }),
    ...(recordOutputs && typeof fields.stack === "string" ? { stack: fields.stack } : {}),
    ...extra,
  };
}

/** The message recorded in place of an error's own when `recordOutputs` is false. */
export function unrecordedMessage(kind: string): string {
  return `${kind} (message not recorded: recordOutputs is false)`;
}
