// The batcher: encoded events held until a batch is due, and batches cut off them by count,
// exact request bytes or time.
import type { EventBatch } from "@chaukas/spec/common/v1";
import { cutBatch, type EncodedEvent } from "../wire/encoded-batch.js";
import { unrefTimer } from "./export-attempt.js";

/** Limits of the `Batcher`: the processor's `maxBatchSize`, `maxBatchBytes`, `flushIntervalMs`. */
export interface BatcherLimits {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly flushIntervalMs: number;
}

/**
 * Holds encoded events until a batch is due and cuts batches off them: by count
 * (`maxBatchSize`), by the exact bytes of the request (`maxBatchBytes`), or by time (an event
 * waited `flushIntervalMs`). The interval timer runs exactly while events wait, so an idle
 * client holds no timer.
 */
export class Batcher {
  #entries: EncodedEvent[] = [];
  /** Sum of the events' encoded sizes: a lower bound of the request's bytes. */
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly limits: BatcherLimits,
    /** Called when the interval passes with events waiting. */
    private readonly onInterval: () => void,
  ) {}

  get length(): number {
    return this.#entries.length;
  }

  /** The sequence number of the oldest event held, if any. */
  get headSeq(): number | undefined {
    return this.#entries[0]?.seq;
  }

  /** True when the events held make a full batch by count or bytes. */
  get full(): boolean {
    return (
      this.#entries.length >= this.limits.maxBatchSize || this.#bytes >= this.limits.maxBatchBytes
    );
  }

  add(entry: EncodedEvent): void {
    this.#entries.push(entry);
    this.#bytes += entry.bytes.length;
  }

  /** The next batch, at most `maxBytes` (the keepalive budget may be lower than the limit). */
  cut(maxBytes = this.limits.maxBatchBytes): EventBatch {
    const batch = cutBatch(this.#entries, this.limits.maxBatchSize, maxBytes);
    const taken = this.#entries.splice(0, batch.events.length);
    for (const entry of taken) this.#bytes -= entry.bytes.length;
    return batch;
  }

  /** Drops every event held; returns how many there were. */
  clear(): number {
    const count = this.#entries.length;
    this.#entries = [];
    this.#bytes = 0;
    return count;
  }

  /** Arms the interval timer while `waiting` (events anywhere before a batch), else clears it. */
  updateTimer(waiting: boolean): void {
    if (!waiting) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.onInterval();
      }, this.limits.flushIntervalMs);
      unrefTimer(this.#timer);
    }
  }
}
