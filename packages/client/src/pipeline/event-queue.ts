// The event queue: accepted events waiting to be prepared, numbered in order of acceptance, with
// O(1) eviction and truncation by rank when the processor is full.
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
 * the pipeline; when it is reached, `truncateBelow` or `evictBelow` make room for a
 * higher-ranked event in O(1). Truncated events are counted apart (`truncatedLength`: the
 * processor holds up to `maxQueueSize` of them beyond its bound) and are never pushed out.
 */
export class EventQueue {
  /** Waiting events by `seq - #firstSeq`; a hole is an evicted event. The first is never a hole. */
  #slots: (Event | undefined)[] = [];
  /** The `seq` of `#slots[0]`. */
  #firstSeq = 0;
  #live = 0;
  /** Per rank, the `seq`s of its waiting events that may be truncated or pushed out, oldest first. */
  #byRank: [number[], number[], number[]] = [[], [], []];
  /** The `seq`s of waiting events whose payload was truncated. */
  readonly #truncated = new Set<number>();

  /** Events waiting (holes not counted). */
  get length(): number {
    return this.#live;
  }

  /** Waiting events whose payload was truncated (counted in `length` too). */
  get truncatedLength(): number {
    return this.#truncated.size;
  }

  /** The sequence number the next accepted event gets. */
  get nextSeq(): number {
    return this.#firstSeq + this.#slots.length;
  }

  /** The sequence number of the oldest waiting event (`nextSeq` when none waits). */
  get headSeq(): number {
    return this.#firstSeq;
  }

  /**
   * Appends an event; `rank` (see `DropRank`) decides what `evictBelow` may push out. A
   * `truncated` event (its payload already cut) is never truncated again nor pushed out.
   */
  push(event: Event, rank: DropRank = DROP_RANK.ordinary, truncated = false): void {
    if (truncated) this.#truncated.add(this.nextSeq);
    else this.#byRank[rank].push(this.nextSeq);
    this.#slots.push(event);
    this.#live++;
  }

  /**
   * Cuts the payload of the newest waiting event of each rank below `rank`, lowest rank first,
   * until `cut` succeeds (it returns the cut copy, or undefined when there is nothing to cut);
   * the cut event replaces it and counts as truncated. False when no such event could be cut.
   * One candidate per rank: O(1) in the queue's length, plus what `cut` costs.
   */
  truncateBelow(rank: DropRank, cut: (event: Event) => Event | undefined): boolean {
    for (let r = 0; r < rank; r++) {
      const seqs = this.#byRank[r]!;
      const seq = seqs[seqs.length - 1];
      if (seq === undefined) continue;
      const index = seq - this.#firstSeq;
      const truncated = cut(this.#slots[index]!);
      if (truncated === undefined) continue;
      seqs.pop();
      this.#slots[index] = truncated;
      this.#truncated.add(seq);
      return true;
    }
    return false;
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
      if (event === undefined) continue;
      const seq = this.#firstSeq + scanned;
      taken.push({ event, seq });
      this.#truncated.delete(seq);
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
    this.#truncated.clear();
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
