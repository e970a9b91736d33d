/**
 * A streamed call of a Stainless SDK (`openai`, `@anthropic-ai/sdk`) resolves to a `Stream`: an
 * async iterable of parsed server-sent events whose every consumer (`for await`, `tee()`,
 * `toReadableStream()`, and the SDKs' own helpers such as `MessageStream`) reads one source
 * iterator, made by the stream's `iterator` function. An integration that decorates that
 * function sees every event exactly once, however the app reads the stream, and the app keeps
 * its stream object with every helper. (The SDKs decorate it the same way for their own agent
 * helpers.)
 */

/** What an integration is told of an observed stream; after `ended` or `failed`, nothing. */
export interface StainlessStreamObserver {
  /** An event, before the app gets it. */
  event(event: unknown): void;
  /**
   * The stream ended: read to its end (`abandoned` false), or closed early by the app (`break`,
   * `return()`, an abort of the stream's controller; `abandoned` true).
   */
  ended(abandoned: boolean): void;
  /** Reading the stream threw `error` (the app gets the same error). */
  failed(error: unknown): void;
}

/** The parts of a Stainless `Stream` this reads. */
interface StreamParts {
  iterator?: unknown;
  controller?: { readonly signal?: AbortSignal };
}

/**
 * Observes the events of `stream` (a Stainless `Stream`) as the app reads them. Returns false,
 * leaving the stream as it is, when it is not such a stream. Only the first read is observed (a
 * second one throws in the SDK, as it would without the observer). What the observer throws
 * must be caught by the observer (use the integration guard).
 */
export function observeStainlessStream(
  stream: unknown,
  observer: StainlessStreamObserver,
): boolean {
  if (typeof stream !== "object" || stream === null) return false;
  const parts = stream as StreamParts;
  const source = parts.iterator;
  if (typeof source !== "function") return false;
  let read = false;
  parts.iterator = function (this: unknown) {
    const events = source.call(this) as AsyncIterator<unknown>;
    if (read) return events;
    read = true;
    const aborted = () => parts.controller?.signal?.aborted === true;
    return observedEvents(events, observer, aborted);
  };
  return true;
}

/** `events` as they pass, told to `observer`; closing it early closes `events`. */
async function* observedEvents(
  events: AsyncIterator<unknown>,
  observer: StainlessStreamObserver,
  aborted: () => boolean,
): AsyncGenerator<unknown, unknown, undefined> {
  let settled = false;
  try {
    while (true) {
      const next = await events.next();
      if (next.done) {
        settled = true;
        // The SDK ends a stream whose request was aborted quietly, as if it were complete.
        observer.ended(aborted());
        return next.value;
      }
      observer.event(next.value);
      yield next.value;
    }
  } catch (error) {
    settled = true;
    observer.failed(error);
    throw error;
  } finally {
    if (!settled) {
      // The app stopped reading (`break`, `return()`): close the source as `for await` would.
      observer.ended(true);
      await events.return?.();
    }
  }
}
