import { type ChaukasScope, ChaukasValidationError } from "@chaukas/client";
import {
  type ContentCapture,
  createIntegrationGuard,
  fieldsOf,
  openProviderCalls,
  type ProviderOperation,
  type ProviderRecorder,
  recordProviderMethod,
} from "@chaukas/client/integration";
import { chatCompletions } from "./chat-completions.js";
import { embeddings } from "./embeddings.js";
import { WRAP_OPENAI_DEFAULTS, type WrapOpenAIOptions } from "./options.js";
import { trackAttempts, withAttemptKey } from "./request-attempts.js";
import { responses } from "./responses.js";

/** The methods recorded: where they live on the client, and how each is read. */
const RECORDED_METHODS: readonly (readonly [path: readonly string[], ProviderOperation])[] = [
  [["chat", "completions"], chatCompletions],
  [["responses"], responses],
  [["embeddings"], embeddings],
];

/** Clients already wrapped: wrapping one again changes nothing. */
const wrapped = new WeakSet<object>();

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
  const guard = createIntegrationGuard<string>(options.onError);
  const openCalls = openProviderCalls(options.maxOpenCalls, guard);
  if (wrapped.has(client)) return client;
  const capture: ContentCapture = {
    inputs: options.recordInputs ?? WRAP_OPENAI_DEFAULTS.recordInputs,
    outputs: options.recordOutputs ?? WRAP_OPENAI_DEFAULTS.recordOutputs,
  };
  const attemptsTracked = guard.run("fetch", false, () => trackAttempts(client));
  if (!attemptsTracked) {
    guard.reportOnce(
      "fetch",
      new Error("the client has no `fetch` function to wrap: retries are not recorded"),
      "fetch",
    );
  }
  const recorder: ProviderRecorder = {
    chaukas,
    provider,
    capture,
    guard,
    openCalls,
    ...(attemptsTracked ? { attemptOptions: withAttemptKey } : {}),
  };
  for (const [path, operation] of RECORDED_METHODS) {
    guard.run(operation.name, undefined, () => {
      const resource = path.reduce<unknown>((parent, key) => fieldsOf(parent)[key], client);
      recordProviderMethod(resource, "create", operation, recorder);
    });
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
