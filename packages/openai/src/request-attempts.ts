/**
 * The SDK retries a failed request itself (429, 408, 409, 5xx and connection errors, with
 * backoff or the wait a `retry-after` header asks for), and says so only in its logs. Its
 * client calls the `fetch` it was given (the `fetch` client option, else the global one) once
 * per attempt: the wrapper wraps that function and tells each call of its attempts. A call is
 * known to the wrapped `fetch` by a key the wrapper adds to the call's `fetchOptions` (which the
 * SDK passes through to `fetch`), and which the wrapped `fetch` takes out again, so the real
 * `fetch` gets exactly what it got before.
 */

import type { ProviderCall } from "@chaukas/client/integration";

/** The key of a call's recorder in the `fetchOptions` of its request. */
const RECORDED_CALL = Symbol("chaukas.recordedCall");

type Fetch = (url: unknown, init?: Record<PropertyKey, unknown>) => Promise<unknown>;

/**
 * Wraps `client.fetch`, the function the SDK sends each attempt with. False when the client
 * has none to wrap (an SDK version that keeps it elsewhere): retries are then not recorded.
 */
export function trackAttempts(client: object): boolean {
  const holder = client as { fetch?: unknown };
  const send = holder.fetch;
  if (typeof send !== "function") return false;
  holder.fetch = function fetchWithAttempts(url: unknown, init?: Record<PropertyKey, unknown>) {
    const call = init?.[RECORDED_CALL] as ProviderCall | undefined;
    if (call === undefined) return (send as Fetch)(url, init);
    const { [RECORDED_CALL]: _, ...sent } = init as Record<PropertyKey, unknown>;
    call.attemptStarted();
    return (send as Fetch)(url, sent).then(
      (response) => {
        call.attemptEnded({
          status: (response as { status: number }).status,
          headers: (response as { headers: unknown }).headers,
        });
        return response;
      },
      (error: unknown) => {
        call.attemptEnded({ error });
        throw error;
      },
    );
  };
  return true;
}

type RequestOptions = { readonly fetchOptions?: object } & object;

/**
 * The app's request options with the call's key added to their `fetchOptions`; they may be a
 * promise, as the SDK allows.
 */
export function withAttemptKey(options: unknown, call: ProviderCall): unknown {
  const add = (given: unknown) => {
    const request = (given ?? {}) as RequestOptions;
    return { ...request, fetchOptions: { ...request.fetchOptions, [RECORDED_CALL]: call } };
  };
  return typeof (options as PromiseLike<unknown> | null)?.then === "function"
    ? Promise.resolve(options).then(add)
    : add(options);
}
