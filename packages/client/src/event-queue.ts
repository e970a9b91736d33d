import type { Event } from "@chaukas/spec/common/v1";

/**
 * Accepted events waiting to be prepared, in order of acceptance. Each gets a sequence number
 * (its position among all events ever accepted), which `flush()` uses to know what was emitted
 * before it. The bound (`maxQueueSize`) is the processor's: it also counts events further down
 * the pipeline.
 */
export class EventQueue {
  // A plain array: V8 moves its start in O(1) when the head is spliced off.
  #events: Event[] = [];
  #nextSeq = 0;

  get length(): number {
    return this.#events.length;
  }

  /** The sequence number the next accepted event gets. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** The sequence number of the oldest waiting event (`nextSeq` when none waits). */
  get headSeq(): number {
    return this.#nextSeq - this.#events.length;
  }

  push(event: Event): void {
    this.#events.push(event);
    this.#nextSeq++;
  }

  /** Removes and returns up to `max` events from the head, with the first one's `seq`. */
  take(max: number): { readonly events: Event[]; readonly firstSeq: number } {
    const firstSeq = this.headSeq;
    return { events: this.#events.splice(0, max), firstSeq };
  }

  /** Empties the queue; returns how many events were in it. */
  clear(): number {
    const count = this.#events.length;
    this.#events = [];
    return count;
  }
}
