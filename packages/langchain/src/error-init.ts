import type { ErrorInit } from "@chaukas/client";

/**
 * What LangChain threw, as the client records it. With `recordOutputs` the error itself (the
 * client keeps its message, code and stack); without, only its kind and code: a provider's
 * message or a tool's stack may quote the prompt, the arguments or the results.
 */
export function errorOf(error: unknown, recordOutputs: boolean): unknown {
  if (recordOutputs) return error;
  const fields = (typeof error === "object" && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const kind = error instanceof Error ? error.name : typeof error;
  const init: ErrorInit = {
    message: `${kind} (message not recorded: recordOutputs is false)`,
    ...(typeof fields.code === "string" || typeof fields.code === "number"
      ? { code: fields.code }
      : {}),
  };
  return init;
}
