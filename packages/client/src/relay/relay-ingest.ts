// The relay's ingest step: events stamped with the caller's tenant and project, foreign sessions
// rejected, the rest emitted through the server's client.

import type { Event } from "@chaukas/spec/common/v1";
import type { ChaukasClient } from "../client.js";
import { validateEvent } from "../validation/event-validation.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import type { CallerBudgets } from "./caller-budgets.js";
import { type RelayCall, rateLimitedError, refuse, tooLargeError } from "./relay-call.js";

/** An event the relay rejected because the caller does not own its session. */
export interface ForeignSessionEvent {
  /** Its index in the request's batch. */
  readonly index: number;
  readonly eventId: string;
}

/** The relay's ingest step, the same for every protocol that carried the batch. */
export type RelayIngest = (call: RelayCall<unknown>, events: Event[]) => ForeignSessionEvent[];

/** What the ingest step needs. */
export interface RelayIngestOptions {
  /** The server's own client: its key, retries, outbox and loss accounting. */
  readonly chaukas: Pick<ChaukasClient, "emit">;
  readonly budgets: CallerBudgets;
  readonly burstEvents: number;
}

/**
 * Creates the ingest step: for the call's grant, checks a decoded batch and forwards what it may.
 * In this order, so a refused request leaves nothing behind:
 * 1. every event gets the grant's tenant and project, and must be a valid event: one that is not
 *    fails the whole request (`ChaukasValidationError` naming `events[i].<field>`);
 * 2. a batch over `burstEvents` is too large (the browser client splits it);
 * 3. the batch's events are taken from the caller's budget, or the request is rate limited;
 * 4. events of sessions the caller does not own are rejected and returned; the others are
 *    emitted through the server's client as they are (their ids and times kept, nothing taken
 *    from this side's active span).
 */
export function createRelayIngest(options: RelayIngestOptions): RelayIngest {
  const { chaukas, budgets, burstEvents } = options;
  return (call, events) => {
    const grant = call.grant!;
    for (const [index, event] of events.entries()) {
      event.tenantId = grant.tenantId;
      event.projectId = grant.projectId;
      try {
        validateEvent(event, false);
      } catch (error) {
        if (!(error instanceof ChaukasValidationError)) throw error;
        throw refuse(call, "malformed", inBatch(error, index));
      }
    }
    if (events.length > burstEvents) {
      throw refuse(
        call,
        "tooLarge",
        tooLargeError(`${events.length} events are more than the ${burstEvents} allowed at once`),
      );
    }
    const retryAfterMs = budgets.take(grant.callerKey, events.length);
    if (retryAfterMs > 0) throw refuse(call, "rateLimited", rateLimitedError(retryAfterMs));
    const foreign: ForeignSessionEvent[] = [];
    for (const [index, event] of events.entries()) {
      if (grant.sessionIds !== undefined && !grant.sessionIds.has(event.sessionId)) {
        foreign.push({ index, eventId: event.eventId });
        continue;
      }
      chaukas.emit(event, { fromActiveContext: false });
      call.forwarded++;
    }
    call.foreignSession += foreign.length;
    return foreign;
  };
}

/** An event's validation error as the batch's: `events[2].timestamp`. */
function inBatch(error: ChaukasValidationError, index: number): ChaukasValidationError {
  const reason = error.message.slice(error.field.length + 2);
  const field = error.field === "event" ? "" : `.${error.field}`;
  return new ChaukasValidationError(`events[${index}]${field}`, reason);
}
