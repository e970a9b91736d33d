// Admission of an event into the processor's queue: while there is room it goes in as it is;
// when the queue is full, room is made in the order the README states ("When the queue is full").
import type { Event } from "@chaukas/spec/common/v1";
import type { AttachedOutbox } from "../outbox/outbox-stage.js";
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
}

/** Decides, for each event accepted, what is queued: O(1) in the queue's length. */
export class Admission {
  constructor(private readonly context: AdmissionContext) {}

  /**
   * The event to queue (its cut copy when its own payload was cut), or undefined when it was
   * dropped (`dropped.queueFull`). May push out or cut a waiting event of a lower rank.
   */
  admit(event: Event, rank: DropRank): Event | undefined {
    const { queue, maxQueueSize } = this.context;
    const full = this.context.held() - queue.truncatedLength >= maxQueueSize;
    return full ? this.#makeRoom(event, rank) : event;
  }

  /** The queue is full: each step makes room without the losses of the next one. */
  #makeRoom(event: Event, rank: DropRank): Event | undefined {
    const { queue, outboxStage } = this.context;
    // 1. Release a stored batch from memory: nothing is lost.
    if (outboxStage?.spill()) return event;
    // 2. Cut a payload, a waiting lower-ranked one first.
    if (this.#truncatedHasRoom()) {
      if (queue.truncateBelow(rank, this.#cutPayload)) return event;
      const cut = this.#cutPayload(event);
      if (cut !== undefined) return cut;
    }
    // 3. Drop the newest lower-ranked waiting event, else the new one.
    const pushedOut = rank > DROP_RANK.bulk ? queue.evictBelow(rank) : undefined;
    this.context.losses.drop("queueFull", 1, [pushedOut ?? event]);
    return pushedOut === undefined ? undefined : event;
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
