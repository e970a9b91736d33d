import {
  type ChaukasClient,
  type ChaukasScope,
  ChaukasValidationError,
  type SessionHandle,
} from "@chaukas/client";
import {
  createIntegrationGuard,
  fieldsOf,
  type IntegrationGuard,
  observeStainlessPromise,
} from "@chaukas/client/integration";
import { chatCompletions } from "./chat-completions.js";
import { embeddings } from "./embeddings.js";
import type { ContentCapture, ModelOperation } from "./model-operation.js";
import { WRAP_OPENAI_DEFAULTS, type WrapOpenAIOptions } from "./options.js";
import { RecordedCall } from "./recorded-call.js";
import { trackAttempts, withAttemptKey } from "./request-attempts.js";
import { responses } from "./responses.js";

/** The methods recorded: where they live on the client, and how each is read. */
const RECORDED_METHODS: readonly (readonly [path: readonly string[], ModelOperation])[] = [
  [["chat", "completions"], chatCompletions],
  [["responses"], responses],
  [["embeddings"], embeddings],
];

/** Clients already wrapped: wrapping one again changes nothing. */
const wrapped = new WeakSet<object>();

type Create = (this: unknown, body: unknown, options?: unknown) => unknown;

/**
 * Records the calls an `openai` 7 client makes, and returns the same client, typed as before:
 * ```ts
 * const openai = wrapOpenAI(new OpenAI(), chaukas);
 * ```
 * Each `chat.completions.create`, `responses.create` and `embeddings.create` (also through the
 * SDK's helpers built on them: `parse`, `stream`, `runTools`) becomes MODEL_INVOCATION_START and
 * END, with RETRY for each attempt the SDK makes again and ERROR when the call fails. `chaukas`
 * is where the events go: the client (calls nest under the span active when they are made, and
 * a call made outside any opens a session of its own) or a session, agent or span handle (calls
 * nest under it). Return values, errors, streams and their helpers are the SDK's own; the
 * wrapper's failures are counted and told to `options.onError`, never thrown into the app.
 * Throws `ChaukasValidationError` for invalid options.
 */
export function wrapOpenAI<Client extends object>(
  client: Client,
  chaukas: ChaukasScope,
  options: WrapOpenAIOptions = {},
): Client {
  const provider = options.provider ?? WRAP_OPENAI_DEFAULTS.provider;
  if (typeof provider !== "string" || provider === "") {
    throw new ChaukasValidationError("provider", "expected a non-empty string");
  }
  if (wrapped.has(client)) return client;
  const capture: ContentCapture = {
    inputs: options.recordInputs ?? WRAP_OPENAI_DEFAULTS.recordInputs,
    outputs: options.recordOutputs ?? WRAP_OPENAI_DEFAULTS.recordOutputs,
  };
  const guard = createIntegrationGuard<string>(options.onError);
  const attemptsTracked = guard.run("fetch", false, () => trackAttempts(client));
  const recorder: CallRecorder = { chaukas, provider, capture, guard, attemptsTracked };
  for (const [path, operation] of RECORDED_METHODS) {
    guard.run(operation.name, undefined, () => recordMethod(client, path, operation, recorder));
  }
  guard.run("withOptions", undefined, () => {
    const holder = client as { withOptions?: unknown };
    const withOptions = holder.withOptions;
    if (typeof withOptions !== "function") return;
    // A client derived with other options is a new client: it is recorded the same way.
    holder.withOptions = function (this: unknown, ...args: unknown[]) {
      return wrapOpenAI(withOptions.apply(this, args) as object, chaukas, options);
    };
  });
  wrapped.add(client);
  return client;
}

/** What every recorded call of one wrapped client shares. */
interface CallRecorder {
  readonly chaukas: ChaukasScope;
  readonly provider: string;
  readonly capture: ContentCapture;
  readonly guard: IntegrationGuard<string>;
  readonly attemptsTracked: boolean;
}

/** Replaces the `create` of the resource at `path` with one that records its calls. */
function recordMethod(
  client: object,
  path: readonly string[],
  operation: ModelOperation,
  recorder: CallRecorder,
): void {
  const resource = path.reduce<unknown>((parent, key) => fieldsOf(parent)[key], client) as {
    create?: unknown;
  };
  const create = resource?.create;
  if (typeof create !== "function") return;
  const { guard } = recorder;
  // An own property of the resource: the SDK's helpers (`parse`, `stream`, `runTools`) call
  // `client.<resource>.create`, so they are recorded too.
  resource.create = function recordedCreate(
    this: unknown,
    body: unknown,
    requestOptions?: unknown,
  ) {
    const call = guard.run(operation.name, undefined, () => startCall(operation, body, recorder));
    if (call === undefined) return (create as Create).call(this, body, requestOptions);
    const sent = recorder.attemptsTracked
      ? guard.run(operation.name, requestOptions, () => withAttemptKey(requestOptions, call))
      : requestOptions;
    let promise: unknown;
    try {
      promise = (create as Create).call(this, body, sent);
    } catch (error) {
      call.failed(error);
      throw error;
    }
    return guard.run(operation.name, promise, () => observeStainlessPromise(promise, call));
  };
}

/** MODEL_INVOCATION_START of a call, under the scope the call is made in. */
function startCall(operation: ModelOperation, body: unknown, recorder: CallRecorder): RecordedCall {
  const { chaukas, provider, capture, guard } = recorder;
  const session = sessionOfOwn(chaukas);
  const streamed = fieldsOf(body).stream === true;
  try {
    const model = (session ?? chaukas).modelInvocationStart({
      provider,
      ...operation.start(body, capture),
      metadata: streamed
        ? { operation: operation.name, stream: true }
        : { operation: operation.name },
    });
    return new RecordedCall({ operation, model, session, capture, streamed, guard });
  } catch (error) {
    session?.fail(error);
    throw error;
  }
}

/**
 * The session a call made outside any Chaukas scope opens, so that it is still recorded in
 * one; `undefined` when the call nests (under a handle, or under the client's active span).
 */
function sessionOfOwn(chaukas: ChaukasScope): SessionHandle | undefined {
  const client = chaukas as Partial<Pick<ChaukasClient, "current" | "startSession">>;
  if (typeof client.current !== "function" || typeof client.startSession !== "function") {
    return undefined;
  }
  return client.current() === undefined ? client.startSession() : undefined;
}
