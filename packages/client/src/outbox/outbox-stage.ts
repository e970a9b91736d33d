// The outbox's part of the pipeline: between a batch's cut and its delivery, each batch is
// written, waits for a slot, may leave memory (spill), and is removed once delivered.
import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { OutboxStore } from "../outbox.js";
import type { AttachedOutbox, OutboxStageContext } from "./attached-outbox.js";
import { fromStoredBatch, toStoredBatch } from "./stored-batch.js";
import { isSpilled, type StoredEntry } from "./stored-entry.js";

/**
 * Outbox writes under way at once. Each write takes several event-loop turns (open, write,
 * close, rename); one at a time, an agent emitting in a tight loop outpaced them.
 */
const OUTBOX_WRITES_AT_ONCE = 4;

/**
 * The part of the pipeline between a batch's cut and its delivery when the client has an
 * `outbox`: writes each batch before its first attempt, keeps the stored batches in order until
 * a slot is free (batches claimed from earlier runs first), releases them from memory when the
 * queue is full (spill) and reads them back, handles the outbox's evictions, and removes each
 * batch once its delivery settled (unless only time ran out).
 */
export class OutboxStage implements AttachedOutbox {
  /** Batches waiting for a slot, claimed ones first, then in `seq` order. */
  #waiting: StoredEntry[] = [];
  /** Events waiting here cut in this run and held in memory: `maxQueueSize` counts them. */
  #heldEvents = 0;
  /** Events waiting here claimed from the outbox (queued, outside `maxQueueSize`). */
  #recoveredEvents = 0;
  /** Events waiting here only on disk (spilled): queued, outside `maxQueueSize`. */
  #spilledEvents = 0;
  /** Entries of this run's batches held in memory, oldest first: the newest spills first. */
  #spillable: StoredEntry[] = [];
  /** Outbox writes under way (at most `OUTBOX_WRITES_AT_ONCE`). */
  #writesUnderWay = 0;
  /** Entries waiting for a write slot, in cut order. */
  #writeQueue: StoredEntry[] = [];
  /**
   * Set when the queue was full (`spill()` was asked), until the writes catch up: batches
   * waiting for a write then hold their record, not their events. While the disk is slower than
   * the agent emits they wait long; as events (objects) they would all outlive V8's young
   * generation and grow its old one, as their record they hold about a third of the memory and
   * none of the heap (bench/README.md, row 4o). Otherwise they keep their events, so a burst
   * that fits the queue is not decoded again before it is sent.
   */
  #recordsOnly = false;
  /**
   * Spilled batches being read back: the outbox evicting one meanwhile hands its bytes here, so
   * it goes on like any batch being sent (it only lost its copy).
   */
  readonly #readingBack = new Map<string, Uint8Array | undefined>();
  /** Ids of the outbox's batches this stage holds (waiting, being written or delivered). */
  readonly #ids = new Set<string>();
  /** The outbox's `claim()` under way: new batches wait until what it returns went first. */
  #claiming: Promise<void> | undefined;
  readonly #stopListening: (() => void) | undefined;
  /** Set by `abandon()` (shutdown's deadline): writes ending later keep their batch stored only. */
  #abandoned = false;
  #closed = false;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly context: OutboxStageContext,
  ) {
    this.#claim();
    this.#stopListening = outbox.onAvailable?.(() => this.#claim());
  }

  /** Events waiting here that `maxQueueSize` counts (this run's, in memory). */
  get heldEvents(): number {
    return this.#heldEvents;
  }

  /** Every event waiting here for a slot: part of `stats().queued`. */
  get waitingEvents(): number {
    return this.#heldEvents + this.#recoveredEvents + this.#spilledEvents;
  }

  /**
   * The `seq` of the oldest waiting event: -1 while a claim runs (what it returns goes first),
   * Infinity when nothing waits.
   */
  get oldestSeq(): number {
    if (this.#claiming !== undefined) return -1;
    return this.#waiting[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Takes a batch just cut (its first event has `firstSeq`): it waits here from now on, in cut
   * order, and is sent once written and a slot is free. Its write starts at once, or waits for
   * one of `OUTBOX_WRITES_AT_ONCE` slots. Resolves at once: the processor goes on cutting rather
   * than wait for the disk with events uncut in its queue.
   */
  async store(batch: EventBatch, firstSeq: number): Promise<void> {
    const size = batch.events.length;
    const entry: StoredEntry = {
      batchId: batch.batchId,
      size,
      seq: firstSeq,
      recovered: false,
      batch,
      request: undefined,
      written: false,
    };
    this.#waiting.push(entry);
    this.#heldEvents += size;
    this.#ids.add(batch.batchId);
    this.#writeQueue.push(entry);
    this.#startWrites();
    if (this.#recordsOnly) this.#holdRecordsOnly();
  }

  /**
   * Makes room in memory without losing anything: releases the newest stored batch held in
   * memory (it is read back when its turn comes). O(1). False when there is none.
   */
  spill(): boolean {
    this.#recordsOnly = true;
    const entry = this.#spillable.pop();
    if (entry === undefined) return false;
    entry.batch = undefined;
    entry.request = undefined;
    this.#heldEvents -= entry.size;
    this.#spilledEvents += entry.size;
    return true;
  }

  /** Starts deliveries of waiting batches while slots are free, once claimed batches are in. */
  startDeliveries(): void {
    while (this.#claiming === undefined && this.#waiting.length > 0) {
      const entry = this.#waiting[0]!;
      if (!entry.written) return;
      const keepalive = this.context.isKeepalive(entry.seq);
      if (!keepalive && !this.context.slotFree()) return;
      this.#waiting.shift();
      this.#uncount(entry);
      void this.context.deliver({
        firstSeq: entry.seq,
        events: entry.size,
        keepalive,
        load: () => this.#fromMemory(entry) ?? this.#readBack(entry),
        settled: ({ keepStored }) => this.#settled(entry.batchId, keepStored),
      });
    }
  }

  /**
   * Shutdown's deadline passed: stops holding batches (they stay in the outbox for a later run).
   * Returns how many events were waiting, which the processor counts as failed.
   */
  abandon(): number {
    const count = this.waitingEvents;
    this.#abandoned = true;
    this.#waiting = [];
    // Writes not started are not started: their events count as failed, as unbatched ones do.
    this.#writeQueue = [];
    this.#spillable = [];
    this.#heldEvents = 0;
    this.#recoveredEvents = 0;
    this.#spilledEvents = 0;
    return count;
  }

  /** Stops claiming and closes the outbox (at shutdown). */
  close(): Promise<void> | undefined {
    this.#closed = true;
    this.#stopListening?.();
    return this.outbox.close?.();
  }

  /** Starts queued writes, oldest first, while fewer than `OUTBOX_WRITES_AT_ONCE` run. */
  #startWrites(): void {
    while (this.#writesUnderWay < OUTBOX_WRITES_AT_ONCE && !this.#abandoned) {
      const entry = this.#writeQueue.shift();
      if (entry === undefined) {
        this.#recordsOnly = false; // the writes caught up
        return;
      }
      let request = entry.request;
      try {
        request ??= toStoredBatch(entry.batch!).request;
      } catch (error) {
        // Not stored: it goes out from memory.
        this.#reportFailure(error, entry.batchId, entry.size, true);
        entry.written = true;
        continue;
      }
      void this.#write(entry, request);
    }
  }

  /** Batches waiting for a write, newest first, give up their events for their record. */
  #holdRecordsOnly(): void {
    for (let i = this.#writeQueue.length - 1; i >= 0; i--) {
      const entry = this.#writeQueue[i]!;
      if (entry.batch === undefined) return; // older ones were turned already
      try {
        entry.request = toStoredBatch(entry.batch).request;
      } catch {
        return; // kept as events: its write reports the failure
      }
      entry.batch = undefined;
    }
  }

  /**
   * Writes an entry's record, then starts the next queued write. The entry waits in `#waiting`
   * from its cut, so batches keep their order whichever write ends first. If the write fails,
   * the batch still goes out from memory (`onError` reason `outbox-failed`). Takes the record,
   * not the batch: an async function keeps its arguments alive until it returns.
   */
  async #write(entry: StoredEntry, request: Uint8Array): Promise<void> {
    this.#writesUnderWay++;
    try {
      const { evicted } = await this.outbox.put({ batchId: entry.batchId, request });
      if (!this.#abandoned) this.#spillable.push(entry);
      for (const evictedBatch of evicted) this.#evicted(evictedBatch.batchId, evictedBatch.request);
    } catch (error) {
      this.#reportFailure(error, entry.batchId, entry.size, true);
    }
    entry.written = true;
    this.#writesUnderWay--;
    this.#startWrites();
    this.context.pump();
  }

  /**
   * The entry's batch from memory: its events, or its record decoded; undefined if spilled (or,
   * never seen, if its record would not decode: it is then read back, or reported lost).
   */
  #fromMemory(entry: StoredEntry): EventBatch | undefined {
    const { request } = entry;
    if (request === undefined) return entry.batch;
    entry.request = undefined;
    try {
      return fromStoredBatch({ batchId: entry.batchId, request });
    } catch {
      return undefined;
    }
  }

  /**
   * The outbox removed a batch to stay within its bound. One waiting here is dropped with it
   * (`dropped.outboxFull`); one being delivered goes on (it only lost its copy); one this stage
   * no longer holds was already counted (failed, kept for a later run): only reported.
   */
  #evicted(batchId: string, request: Uint8Array): void {
    if (this.#readingBack.has(batchId)) {
      this.#readingBack.set(batchId, request);
      return;
    }
    const index = this.#waiting.findIndex((entry) => entry.batchId === batchId);
    if (index >= 0) {
      const entry = this.#waiting.splice(index, 1)[0]!;
      this.#uncount(entry);
      this.#ids.delete(batchId);
      let events: readonly Event[] | undefined = entry.batch?.events;
      try {
        events ??= fromStoredBatch({ batchId, request }).events;
      } catch {}
      this.context.drop("outboxFull", entry.size, events);
    } else if (!this.#ids.has(batchId)) {
      try {
        for (const event of fromStoredBatch({ batchId, request }).events) {
          this.context.recordLoss("outboxFull", event);
        }
      } catch {
        this.context.stats.corruptRecordsFound(1);
      }
    }
  }

  /** Takes an entry out of the counters of waiting events. */
  #uncount(entry: StoredEntry): void {
    if (isSpilled(entry)) this.#spilledEvents -= entry.size;
    else if (entry.recovered) this.#recoveredEvents -= entry.size;
    else this.#heldEvents -= entry.size;
    // Deliveries take the oldest entry, evictions the oldest too: both O(1) in practice.
    if (this.#spillable[0] === entry) this.#spillable.shift();
    else if (!isSpilled(entry) && !entry.recovered) {
      const index = this.#spillable.indexOf(entry);
      if (index >= 0) this.#spillable.splice(index, 1);
    }
  }

  /** Reads a spilled batch back; undefined (reported) when it is gone or unreadable. */
  async #readBack(entry: StoredEntry): Promise<EventBatch | undefined> {
    const { batchId } = entry;
    this.#readingBack.set(batchId, undefined);
    let request: Uint8Array | undefined;
    try {
      request = (await this.outbox.read(batchId))?.request;
    } catch {}
    request ??= this.#readingBack.get(batchId);
    this.#readingBack.delete(batchId);
    try {
      if (request !== undefined) return fromStoredBatch({ batchId, request });
    } catch {}
    // Gone (storage cleared by someone else) or unreadable: its events are lost.
    this.#ids.delete(entry.batchId);
    const error = new ConnectError("a spilled batch could not be read back", Code.DataLoss);
    this.#reportFailure(error, entry.batchId, entry.size);
    return undefined;
  }

  /** A delivery settled: the stored copy goes unless only time ran out for some of its events. */
  async #settled(batchId: string, keepStored: boolean): Promise<void> {
    if (!keepStored) await this.#remove(batchId);
    this.#ids.delete(batchId);
  }

  async #remove(batchId: string): Promise<void> {
    try {
      await this.outbox.remove(batchId);
    } catch (error) {
      // Left in the outbox, the batch is delivered again by a later run: a duplicate the
      // backend drops by event id, never a loss.
      this.#reportFailure(error, batchId);
    }
  }

  /** Starts `outbox.claim()` unless one runs: what it returns is delivered before new batches. */
  #claim(): void {
    if (this.#claiming !== undefined || this.#closed) return;
    this.#claiming = (async () => {
      const recovered: StoredEntry[] = [];
      try {
        const { batches, corrupt } = await this.outbox.claim();
        this.context.stats.corruptRecordsFound(corrupt);
        for (const stored of batches) {
          if (this.#ids.has(stored.batchId)) continue;
          let batch: EventBatch;
          try {
            batch = fromStoredBatch(stored);
          } catch {
            this.context.stats.corruptRecordsFound(1);
            await this.#remove(stored.batchId);
            continue;
          }
          const size = batch.events.length;
          this.#ids.add(batch.batchId);
          this.context.stats.recovered(size);
          this.#recoveredEvents += size;
          recovered.push({
            batchId: batch.batchId,
            size,
            seq: -1,
            recovered: true,
            batch,
            request: undefined,
            written: true,
          });
        }
      } catch (error) {
        this.#reportFailure(error);
      }
      this.#waiting.unshift(...recovered);
      this.#claiming = undefined;
      this.context.pump();
    })();
  }

  /**
   * Tells `onError` (reason `outbox-failed`) that the outbox failed for `events` events of a
   * batch (0: nothing was lost), and whether they still go out (`willRetry`: sent from memory).
   */
  #reportFailure(error: unknown, batchId = "", events = 0, willRetry = false): void {
    this.context.report(ConnectError.from(error), {
      batchId,
      events,
      willRetry,
      reason: "outbox-failed",
    });
  }
}
