import type { Event } from "@chaukas/spec/common/v1";
import { DROP_RANK, type DropRank } from "./drop-priority.js";

/** An event taken off the queue, with its sequence number. */
export interface QueuedEvent {
  readonly event: Event;
  readonly seq: number;
}

/**
 * Accepted events waiting to be prepared, in order of acceptance. Each gets a sequence number
 * (its position among all events ever accepted), which `flush()` uses to know what was emitted
 * before it. The bound (`maxQueueSize`) is the processor's: it also counts events further down
 * the pipeline; when it is reached, `evictBelow` makes room for a higher-ranked event in O(1).
 */
export class EventQueue {
  /** Waiting events by `seq - #firstSeq`; a hole is an evicted event. The first is never a hole. */
  #slots: (Event | undefined)[] = [];
  /** The `seq` of `#slots[0]`. */
  #firstSeq = 0;
  #live = 0;
  /** Per rank, the `seq`s of its waiting events, oldest first. */
  #byRank: [number[], number[], number[]] = [[], [], []];

  /** Events waiting (holes not counted). */
  get length(): number {
    return this.#live;
  }

  /** The sequence number the next accepted event gets. */
  get nextSeq(): number {
    return this.#firstSeq + this.#slots.length;
  }

  /** The sequence number of the oldest waiting event (`nextSeq` when none waits). */
  get headSeq(): number {
    return this.#firstSeq;
  }

  /** Appends an event; `rank` (see `DropRank`) decides what `evictBelow` may push out. */
  push(event: Event, rank: DropRank = DROP_RANK.ordinary): void {
    this.#byRank[rank].push(this.nextSeq);
    this.#slots.push(event);
    this.#live++;
  }

  /**
   * Removes the newest waiting event of the lowest rank below `rank` and returns it, or
   * undefined when every waiting event ranks at least `rank`.
   */
  evictBelow(rank: DropRank): Event | undefined {
    for (let r = 0; r < rank; r++) {
      const seq = this.#byRank[r]!.pop();
      if (seq === undefined) continue;
      const index = seq - this.#firstSeq;
      const event = this.#slots[index]!;
      this.#slots[index] = undefined;
      this.#live--;
      if (index === 0) this.#dropLeadingHoles();
      return event;
    }
    return undefined;
  }

  /** Removes and returns up to `max` events from the head, oldest first. */
  take(max: number): QueuedEvent[] {
    const taken: QueuedEvent[] = [];
    let scanned = 0;
    for (; scanned < this.#slots.length && taken.length < max; scanned++) {
      const event = this.#slots[scanned];
      if (event !== undefined) taken.push({ event, seq: this.#firstSeq + scanned });
    }
    // A plain array: V8 moves its start in O(1) when the head is spliced off.
    this.#slots.splice(0, scanned);
    this.#firstSeq += scanned;
    this.#live -= taken.length;
    this.#dropLeadingHoles();
    for (const seqs of this.#byRank) {
      let stale = 0;
      while (stale < seqs.length && seqs[stale]! < this.#firstSeq) stale++;
      if (stale > 0) seqs.splice(0, stale);
    }
    return taken;
  }

  /** Empties the queue; returns how many events were in it. */
  clear(): number {
    const count = this.#live;
    this.#firstSeq = this.nextSeq;
    this.#slots = [];
    this.#live = 0;
    this.#byRank = [[], [], []];
    return count;
  }

  #dropLeadingHoles(): void {
    let holes = 0;
    while (holes < this.#slots.length && this.#slots[holes] === undefined) holes++;
    if (holes > 0) {
      this.#slots.splice(0, holes);
      this.#firstSeq += holes;
    }
  }
}
