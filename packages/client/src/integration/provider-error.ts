// How an integration records a provider SDK's failed call: its kind, code and message, and the
// retry delay the response asked for.

import type { ErrorInit, JsonInput } from "../builders/builder-types.js";
import { fieldsOf, nonEmptyString, tokenCount } from "./framework-values.js";

/** What a failed call is recorded as. */
export interface ProviderCallFailure {
  readonly error: ErrorInit;
  /** The END's and ERROR's `metadata`: `http_status`, `error_type`, `retry_after_ms`, ... */
  readonly metadata: JsonInput;
  /** The app gave up on the call (its abort signal): no ERROR, the END is a warning. */
  readonly abandoned: boolean;
}

/**
 * A thrown value as a failed call: a Stainless SDK's `APIError` (`openai`, `@anthropic-ai/sdk`;
 * read by its fields, so an integration needs no import of the SDK at run time) with its HTTP
 * status, error type, code and param, request id, and the wait a rate limit asked for
 * (`retry-after-ms` or `retry-after`); an abort by the app; or anything else. Without `recordOutputs` only the error's kind is kept: an API
 * message may quote the request.
 */
export function providerCallFailure(thrown: unknown, recordOutputs: boolean): ProviderCallFailure {
  const error = fieldsOf(thrown);
  const name = thrown instanceof Error ? thrown.name : typeof thrown;
  const className = nonEmptyString(
    (thrown as { constructor?: { name?: unknown } } | null)?.constructor?.name,
  );
  const kind = className && className !== "Error" ? className : name;
  const status = tokenCount(error.status);
  const type = nonEmptyString(error.type);
  const code = nonEmptyString(error.errorCode) ?? nonEmptyString(error.code) ?? type ?? status;
  const abandoned = kind === "APIUserAbortError" || name === "AbortError";
  const retryAfter = retryAfterMs(error.headers);
  const message = !recordOutputs
    ? `${kind} (message not recorded: recordOutputs is false)`
    : (nonEmptyString(error.message) ??
      (typeof thrown === "object" && thrown !== null ? kind : String(thrown)));
  return {
    error: {
      message,
      code: code ?? kind,
      ...(recordOutputs && typeof error.stack === "string" ? { stack: error.stack } : {}),
    },
    metadata: {
      error_kind: kind,
      ...(status === undefined ? {} : { http_status: status }),
      ...(type === undefined ? {} : { error_type: type }),
      ...(nonEmptyString(error.param) ? { error_param: error.param as string } : {}),
      ...(nonEmptyString(error.requestID) ? { request_id: error.requestID as string } : {}),
      ...(retryAfter === undefined ? {} : { retry_after_ms: retryAfter }),
    },
    abandoned,
  };
}

/** The wait a response asked for before a retry, in milliseconds, as the SDK reads it. */
export function retryAfterMs(headers: unknown): number | undefined {
  const get = (name: string): string | undefined => {
    const value = (headers as { get?: (name: string) => unknown } | null)?.get?.(name);
    return typeof value === "string" ? value : undefined;
  };
  const ms = Number.parseFloat(get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const header = get("retry-after");
  if (header === undefined) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
