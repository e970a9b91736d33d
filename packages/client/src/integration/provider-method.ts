/**
 * How a provider SDK integration records a method (`chat.completions.create`,
 * `messages.create`): it replaces the method on the SDK client's resource object, starts the call
 * (MODEL_INVOCATION_START under the scope it is made in), and follows the `APIPromise` the method
 * returns, which it hands back to the app unchanged.
 */

import type { ChaukasScope, SessionHandle } from "../builders/scope-types.js";
import type { ChaukasClient } from "../client.js";
import { fieldsOf } from "./framework-values.js";
import type { IntegrationGuard } from "./integration-guard.js";
import type { OpenCalls } from "./open-calls.js";
import { ProviderCall } from "./provider-call.js";
import type { ContentCapture, ProviderOperation } from "./provider-operation.js";
import { observeStainlessPromise } from "./stainless-promise.js";

/** What every recorded call of one wrapped SDK client shares. */
export interface ProviderRecorder {
  /** Where the events go: the client (under its active span, else a session per call) or a handle. */
  readonly chaukas: ChaukasScope;
  /** `llm_invocation.provider`, e.g. "openai". */
  readonly provider: string;
  readonly capture: ContentCapture;
  readonly guard: IntegrationGuard<string>;
  /** The client's open calls (`openProviderCalls`): bounded, the oldest evicted beyond it. */
  readonly openCalls: OpenCalls<ProviderCall, ProviderCall>;
  /**
   * The request options the SDK method is called with, so that the SDK tells `call` of each
   * HTTP attempt (through its middleware, or a wrapped `fetch`). Default: the app's, unchanged.
   */
  readonly attemptOptions?: (requestOptions: unknown, call: ProviderCall) => unknown;
}

type Method = (this: unknown, body: unknown, options?: unknown) => unknown;

/**
 * Replaces the method `name` of `resource` (an SDK client's resource object, e.g.
 * `client.chat.completions`) with one that records its calls as `operation`, as an own property,
 * so the SDK's own helpers that call `client.<resource>.<name>` are recorded too. Does nothing
 * when there is no such method.
 */
export function recordProviderMethod(
  resource: unknown,
  name: string,
  operation: ProviderOperation,
  recorder: ProviderRecorder,
): void {
  const holder = resource as Record<string, unknown> | null | undefined;
  const method = holder?.[name];
  if (holder == null || typeof method !== "function") return;
  const { guard } = recorder;
  holder[name] = function recordedMethod(this: unknown, body: unknown, requestOptions?: unknown) {
    const call = guard.run(operation.name, undefined, () =>
      startProviderCall(operation, body, recorder),
    );
    if (call === undefined) return (method as Method).call(this, body, requestOptions);
    const attemptOptions = recorder.attemptOptions;
    const sent =
      attemptOptions === undefined
        ? requestOptions
        : guard.run(operation.name, requestOptions, () => attemptOptions(requestOptions, call));
    let promise: unknown;
    try {
      promise = (method as Method).call(this, body, sent);
    } catch (error) {
      call.failed(error);
      throw error;
    }
    return guard.run(operation.name, promise, () => observeStainlessPromise(promise, call));
  };
}

/** MODEL_INVOCATION_START of a call, under the scope the call is made in. */
function startProviderCall(
  operation: ProviderOperation,
  body: unknown,
  recorder: ProviderRecorder,
): ProviderCall {
  const { chaukas, provider, capture, guard, openCalls } = recorder;
  const session = sessionOfItsOwn(chaukas);
  const streamed = fieldsOf(body).stream === true;
  try {
    const model = (session ?? chaukas).modelInvocationStart({
      provider,
      ...operation.start(body, capture),
      metadata: streamed
        ? { operation: operation.name, stream: true }
        : { operation: operation.name },
    });
    return new ProviderCall({
      operation,
      model,
      session,
      capture,
      streamed,
      guard,
      openCalls,
    });
  } catch (error) {
    session?.fail(error);
    throw error;
  }
}

/**
 * The session a call made outside any Chaukas scope opens, so that it is still recorded in
 * one; `undefined` when the call nests (under a handle, or under the client's active span).
 */
function sessionOfItsOwn(chaukas: ChaukasScope): SessionHandle | undefined {
  const client = chaukas as Partial<Pick<ChaukasClient, "current" | "startSession">>;
  if (typeof client.current !== "function" || typeof client.startSession !== "function") {
    return undefined;
  }
  return client.current() === undefined ? client.startSession() : undefined;
}
