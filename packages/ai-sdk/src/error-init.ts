import type { ErrorInit } from "@chaukas/client";

/**
 * An AI SDK error (a provider's `APICallError`, a tool's own error, any thrown value) as the
 * client's `ErrorInit`. Without `recordOutputs` only the error's kind is kept: a message or
 * a stack (whose first line repeats the message) may quote the prompt, arguments or results.
 */
export function errorInit(
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
    ? `${kind} (message not recorded: recordOutputs is false)`
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
