/**
 * A server's side of a caller's session, for one request: read the caller's context from the
 * request's headers, decide whether to trust it, and run the handler inside the continued scope.
 * The transports re-export it for their request types (`@chaukas/transport-node`: Node's
 * `IncomingMessage` and Fetch `Request`; `@chaukas/transport-web`: Fetch `Request`).
 */

import type { ContinueSessionOptions } from "../builders/scope.js";
import type { ContinuedSessionHandle } from "../builders/scope-types.js";
import type { ChaukasClient } from "../client.js";
import { createIntegrationGuard } from "../integration/integration-guard.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import type { Carrier } from "./carrier.js";
import { extract } from "./propagation.js";
import type { RemoteContext } from "./remote-context.js";

/**
 * A request whose headers can be read: a Fetch `Request` (`Headers`) or Node's
 * `IncomingMessage` (a plain object of lower-case names).
 */
export interface RequestWithHeaders {
  readonly headers: Carrier;
}

/** Where `onError` of `continueFromRequest` was told about a failure. */
export type ContinueFromRequestStep = "trust" | "end" | "fail";

/** Options of `continueFromRequest`: the session's options, and whom to trust. */
export interface ContinueFromRequestOptions<Request>
  extends Omit<ContinueSessionOptions, "trust" | "traceparent"> {
  /**
   * Whether to adopt the caller's session id: `true`, or a predicate over the request (and the
   * context it carried), sync or async; asked only when the request carries a session id.
   * Trust only callers you authenticate (your own page, your own services): otherwise any caller
   * could write into any session. A predicate that throws, rejects or returns anything but `true`
   * counts as untrusted (the error goes to `onError`). Default: false (a session of this side's
   * own on the caller's trace, the caller's session id recorded as `caller_session_id`).
   */
  readonly trust?:
    | boolean
    | ((request: Request, remote: RemoteContext) => boolean | PromiseLike<boolean>)
    | undefined;
  /**
   * Told when the trust predicate failed (`"trust"`), or when recording the scope's end
   * (`"end"`) or failure (`"fail"`) threw: the request goes on, and the handler's result or
   * error reaches the caller unchanged. What `onError` throws is ignored. Default: none.
   */
  readonly onError?: ((error: unknown, step: ContinueFromRequestStep) => void) | undefined;
}

/** What `continueFromRequest` needs of the client. */
export type RequestContinuer = Pick<ChaukasClient, "continueSession">;

/**
 * Runs `handler` for `request` inside the caller's continued session (see `continueSession`):
 * ```ts
 * app.post("/chat", (req, res) =>
 *   continueFromRequest(chaukas, req, async (scope) => res.json(await agent.answer(req.body)), {
 *     trust: (req) => isOurPage(req),
 *   }),
 * );
 * ```
 * The caller's `traceparent` and `baggage` are read with `extract` (malformed headers
 * are ignored: a fresh trace begins). `handler(scope)` runs under `scope.run`, so the client's
 * builders attach to the scope for as long as the context manager keeps it (across awaits with
 * an AsyncLocalStorage manager, only the synchronous part with the default stack manager: use
 * `scope` there). When the handler's result settles the scope ends: `end()` on success,
 * `fail(error)` on a throw or rejection, and the error is rethrown as it was. Resolves with the
 * handler's result. Rejects with `ChaukasValidationError` for a `handler` that is not a function
 * or invalid session options, before the handler runs.
 */
export async function continueFromRequest<Request extends RequestWithHeaders, Result>(
  chaukas: RequestContinuer,
  request: Request,
  handler: (scope: ContinuedSessionHandle) => Result,
  options: ContinueFromRequestOptions<Request> = {},
): Promise<Awaited<Result>> {
  if (typeof handler !== "function") {
    throw new ChaukasValidationError("handler", "expected a function of the continued scope");
  }
  const { trust, onError, ...sessionOptions } = options;
  const guard = createIntegrationGuard(onError);
  const remote = extract(request?.headers);
  const trusted =
    remote?.sessionId !== undefined && (await trusts(trust, request, remote, guard.report));
  const scope = chaukas.continueSession(remote, { ...sessionOptions, trust: trusted });
  let result: Awaited<Result>;
  try {
    result = await scope.run(() => handler(scope));
  } catch (error) {
    guard.run("fail", undefined, () => scope.fail(error));
    throw error;
  }
  guard.run("end", undefined, () => scope.end());
  return result;
}

/** The trust decision; fails closed. */
async function trusts<Request>(
  trust: ContinueFromRequestOptions<Request>["trust"],
  request: Request,
  remote: RemoteContext,
  report: (error: unknown, step: ContinueFromRequestStep) => void,
): Promise<boolean> {
  if (typeof trust !== "function") return trust === true;
  try {
    return (await trust(request, remote)) === true;
  } catch (error) {
    report(error, "trust");
    return false;
  }
}
