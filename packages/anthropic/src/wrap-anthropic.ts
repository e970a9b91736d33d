import { type ChaukasScope, ChaukasValidationError } from "@chaukas/client";
import {
  type ContentCapture,
  createIntegrationGuard,
  fieldsOf,
  openProviderCalls,
  type ProviderCall,
  type ProviderRecorder,
  recordProviderMethod,
} from "@chaukas/client/integration";
import { messagesOperation } from "./messages.js";
import { WRAP_ANTHROPIC_DEFAULTS, type WrapAnthropicOptions } from "./options.js";

/** Where the recorded `create` methods live on the client (`beta.messages` is the same API). */
const RECORDED_RESOURCES: readonly (readonly string[])[] = [["messages"], ["beta", "messages"]];

/** Clients already wrapped: wrapping one again changes nothing. */
const wrapped = new WeakSet<object>();

/**
 * Records the calls an `@anthropic-ai/sdk` 1 client makes, and returns the same client, typed
 * as before:
 * ```ts
 * const anthropic = wrapAnthropic(new Anthropic(), chaukas);
 * ```
 * Each `messages.create` (and `beta.messages.create`; also through the SDK's helpers built on
 * them: `messages.stream`, `messages.parse`, the tool runner) becomes MODEL_INVOCATION_START and
 * END, with RETRY for each attempt the SDK makes again and ERROR when the call fails. `chaukas`
 * is where the events go: the client (calls nest under the span active when they are made, and
 * a call made outside any opens a session of its own) or a session, agent or span handle (calls
 * nest under it). Return values, errors, streams (`MessageStream` with its events and helpers)
 * are the SDK's own; the wrapper's failures are counted and told to `options.onError`, never
 * thrown into the app. Throws `ChaukasValidationError` for invalid options.
 */
export function wrapAnthropic<Client extends object>(
  client: Client,
  chaukas: ChaukasScope,
  options: WrapAnthropicOptions = {},
): Client {
  const provider = options.provider ?? WRAP_ANTHROPIC_DEFAULTS.provider;
  if (typeof provider !== "string" || provider === "") {
    throw new ChaukasValidationError("provider", "expected a non-empty string");
  }
  const guard = createIntegrationGuard<string>(options.onError);
  const openCalls = openProviderCalls(options.maxOpenCalls, guard);
  if (wrapped.has(client)) return client;
  const capture: ContentCapture = {
    inputs: options.recordInputs ?? WRAP_ANTHROPIC_DEFAULTS.recordInputs,
    outputs: options.recordOutputs ?? WRAP_ANTHROPIC_DEFAULTS.recordOutputs,
  };
  const recorder: ProviderRecorder = {
    chaukas,
    provider,
    capture,
    guard,
    openCalls,
    attemptOptions: withAttemptMiddleware,
  };
  for (const path of RECORDED_RESOURCES) {
    guard.run(messagesOperation.name, undefined, () => {
      const resource = path.reduce<unknown>((parent, key) => fieldsOf(parent)[key], client);
      recordProviderMethod(resource, "create", messagesOperation, recorder);
    });
  }
  guard.run("withOptions", undefined, () => {
    const holder = client as { withOptions?: unknown };
    const withOptions = holder.withOptions;
    if (typeof withOptions !== "function") return;
    // A client derived with other options is a new client: it is recorded the same way.
    holder.withOptions = function (this: unknown, ...args: unknown[]) {
      return wrapAnthropic(withOptions.apply(this, args) as object, chaukas, options);
    };
  });
  wrapped.add(client);
  return client;
}

/** The SDK's `Middleware`: `(request, next, context) => Promise<Response>`. */
type Middleware = (
  request: unknown,
  next: (request: unknown) => Promise<unknown>,
) => Promise<unknown>;

/**
 * The app's request options with a middleware of the call's own after the app's: the SDK runs
 * a request's middleware around each HTTP attempt (its retries included), so it tells `call` of
 * every attempt. It passes the request and the response through untouched.
 */
function withAttemptMiddleware(requestOptions: unknown, call: ProviderCall): unknown {
  const given = (requestOptions ?? {}) as { middleware?: readonly unknown[] };
  const attempts: Middleware = async (request, next) => {
    call.attemptStarted();
    try {
      const response = (await next(request)) as { status: number; headers: unknown };
      call.attemptEnded({ status: response.status, headers: response.headers });
      return response;
    } catch (error) {
      call.attemptEnded({ error });
      throw error;
    }
  };
  return { ...given, middleware: [...(given.middleware ?? []), attempts] };
}
