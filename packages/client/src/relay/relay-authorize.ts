// The relay's first step: ask the app's `authorize` who the caller is, failing closed.

import { Code, ConnectError } from "@connectrpc/connect";
import { copyStrings, requireString } from "../builders/input-checks.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { type CallerGrant, type RelayCall, refuse } from "./relay-call.js";
import type { ChaukasRelayOptions, RelayErrorStep } from "./relay-options.js";

/**
 * Asks the app's `authorize` about the call's request. Resolves with the grant; rejects with the
 * answer to send: Unauthenticated (401) for a refusal, a throw or a rejection, Internal (500) for
 * an answer that is not a grant. Fails closed: nothing but a valid grant lets a request through.
 */
export async function authorizeCall<Request>(
  call: RelayCall<Request>,
  authorize: ChaukasRelayOptions<Request>["authorize"],
  report: (error: unknown, step: RelayErrorStep) => void,
): Promise<CallerGrant> {
  let answer: unknown;
  try {
    answer = await authorize(call.request);
  } catch (error) {
    report(error, "authorize");
    throw refuse(call, "unauthorized", unauthenticated());
  }
  if (answer === null || answer === false || answer === undefined) {
    throw refuse(call, "unauthorized", unauthenticated());
  }
  try {
    return callerGrantOf(answer);
  } catch (error) {
    report(error, "authorize");
    // The app's mistake, not the caller's: say so without saying what it was.
    throw new ConnectError("the relay could not authorize this request", Code.Internal);
  }
}

function unauthenticated(): ConnectError {
  return new ConnectError("not authorized to send events here", Code.Unauthenticated);
}

/** Checks `authorize`'s answer; throws `ChaukasValidationError` naming the property at fault. */
function callerGrantOf(answer: unknown): CallerGrant {
  if (typeof answer !== "object" || answer === null) {
    throw new ChaukasValidationError("grant", "expected { tenantId, projectId }, null or false");
  }
  const grant = answer as Record<string, unknown>;
  const tenantId = requireString(grant.tenantId, "grant.tenantId");
  const projectId = requireString(grant.projectId, "grant.projectId");
  const sessionIds =
    grant.sessionIds === undefined
      ? undefined
      : copyStrings(grant.sessionIds, "grant.sessionIds").sort();
  const callerId =
    grant.callerId === undefined ? undefined : requireString(grant.callerId, "grant.callerId");
  return {
    tenantId,
    projectId,
    sessionIds: sessionIds && new Set(sessionIds),
    callerKey:
      callerId === undefined
        ? JSON.stringify([tenantId, projectId, ...(sessionIds ?? [])])
        : JSON.stringify([callerId]),
  };
}
