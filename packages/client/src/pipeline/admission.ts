// Admission of an event into the processor's queue: while there is room it goes in as it is;
// when the queue is full, room is made in the order the README states ("When the queue is full").
import type { Event } from "@chaukas/spec/common/v1";
import type { AttachedOutbox } from "../outbox/attached-outbox.js";
import { DROP_RANK, type DropRank } from "./drop-priority.js";
import type { EventQueue } from "./event-queue.js";
import type { LossReporter } from "./loss-reporter.js";
import type { PipelineStats } from "./pipeline-stats.js";
import { type TruncatedEvent, truncatePayload } from "./truncation.js";

/** What admission reads and changes of its processor. */
export interface AdmissionContext {
  readonly queue: EventQueue;
  readonly stats: PipelineStats;
  readonly losses: LossReporter;
  readonly outboxStage: AttachedOutbox | undefined;
  readonly maxQueueSize: number;
  readonly truncateWhenFull: boolean;
  /** Events held in memory: the quantity `maxQueueSize` bounds. */
  held(): number;
  /** Queues an event; `truncated`: its payload was cut. */
  push(event: Event, rank: DropRank, truncated: boolean): void;
}

/** Decides, for each event accepted, what is queued and what is dropped: O(1) in the queue's length. */
export class Admission {
  constructor(private readonly context: AdmissionContext) {}

  /**
   * Queues the event, or its cut copy when its own payload was cut, or drops it
   * (`dropped.queueFull`). When the queue is full, makes room first: a stored batch leaves
   * memory, a payload is cut, or a waiting event of a lower rank is pushed out, in that order,
   * each step losing less than the next. A drop is counted once the queue holds what it will.
   */
  admit(event: Event, rank: DropRank): void {
    const { queue, maxQueueSize, push } = this.context;
    if (this.context.held() - queue.truncatedLength < maxQueueSize) {
      push(event, rank, false);
    } else {
      this.#makeRoom(event, rank);
    }
  }

  /** The queue is full: each step loses less than the next. */
  #makeRoom(event: Event, rank: DropRank): void {
    const { queue, outboxStage, push } = this.context;
    // 1. Release a stored batch from memory: nothing is lost.
    if (outboxStage?.spill()) {
      push(event, rank, false);
      return;
    }
    // 2. Cut a payload, a waiting lower-ranked one first.
    if (this.#truncatedHasRoom()) {
      if (queue.truncateBelow(rank, this.#cutPayload)) {
        push(event, rank, false);
        return;
      }
      const cut = this.#cutPayload(event);
      if (cut !== undefined) {
        push(cut, rank, true);
        return;
      }
    }
    // 3. Push out the newest lower-ranked waiting event, else drop the new one.
    const pushedOut = rank > DROP_RANK.bulk ? queue.evictBelow(rank) : undefined;
    if (pushedOut !== undefined) push(event, rank, false);
    this.context.losses.drop("queueFull", 1, [pushedOut ?? event]);
  }

  /** True when truncated events may still be held beyond `maxQueueSize` (`truncateWhenFull`). */
  #truncatedHasRoom(): boolean {
    const { truncateWhenFull, queue, maxQueueSize } = this.context;
    return truncateWhenFull && queue.truncatedLength < maxQueueSize;
  }

  /**
   * The event with its payload cut (`truncatePayload`), counted in `stats().truncated`; undefined
   * when there is nothing to cut. Bound once: the queue calls it back.
   */
  readonly #cutPayload = (event: Event): Event | undefined => {
    let truncated: TruncatedEvent;
    try {
      truncated = truncatePayload(event);
    } catch {
      return undefined; // not an Event: it fails at encoding, and is counted there
    }
    if (truncated.fields.length === 0) return undefined;
    this.context.stats.truncated();
    return truncated.event;
  };
}
