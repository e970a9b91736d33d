// The client's `prepare` step of the pipeline: `beforeSend`, then the integrity chain, with
// privacy failing closed (an event a step cannot handle is dropped unsent, never sent as it was).
import { isMessage } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ChaukasClientOptions } from "./client.js";
import type { PrepareEvent } from "./pipeline/prepare-stage.js";
import { validateEvent } from "./validation/event-validation.js";

/**
 * The processor's `prepare` for the client's `beforeSend` and `integrity`; undefined when it has
 * neither (events go from the queue to the encoder untouched).
 */
export function clientPrepare({
  beforeSend,
  integrity,
}: Pick<ChaukasClientOptions, "beforeSend" | "integrity">): PrepareEvent | undefined {
  if (!beforeSend && !integrity) return undefined;
  /**
   * The processor's `prepare`: `beforeSend`, then the integrity chain. Privacy fails closed: a
   * step that fails throws, and the processor drops the event unsent (`dropped.prepareFailed`).
   */
  return async (original: Event): Promise<Event | null> => {
    let event: Event | null = original;
    if (beforeSend) {
      try {
        event = await beforeSend(original);
      } catch (cause) {
        throw droppedBecause("beforeSend threw", original, cause);
      }
      if (event === null) return null;
      if (!isMessage(event, EventSchema)) {
        throw droppedBecause("beforeSend returned neither an Event nor null", original);
      }
      try {
        validateEvent(event, false);
      } catch (cause) {
        throw droppedBecause("beforeSend returned an invalid event", original, cause);
      }
    }
    if (integrity) {
      try {
        await integrity.link(event);
      } catch (cause) {
        throw droppedBecause("the integrity chain could not link it", original, cause);
      }
    }
    return event;
  };
}

/** The error of an event that privacy's fail-closed rule dropped: it names the event, not its content. */
function droppedBecause(why: string, event: Event, cause?: unknown): ConnectError {
  return new ConnectError(
    `${why}; event ${event.eventId} was dropped, never sent`,
    Code.Internal,
    undefined,
    undefined,
    cause,
  );
}
