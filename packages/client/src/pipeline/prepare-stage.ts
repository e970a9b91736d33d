// The step between the queue and the batcher: each event through `prepare` (beforeSend,
// redaction, the integrity chain), serially and in order, then encoded once for its batch.
import { isMessage } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { type EncodedEvent, encodeEvents } from "../wire/encoded-batch.js";
import type { EncodeEventList } from "../wire/event-encoder.js";
import type { ExportErrorInfo } from "../wire/export-error.js";
import type { Batcher } from "./batcher.js";
import type { EventQueue, QueuedEvent } from "./event-queue.js";
import { finalFailure } from "./final-failure.js";
import type { LossReporter } from "./loss-reporter.js";
import type { PipelineStats } from "./pipeline-stats.js";

/**
 * Transforms one event before it is encoded: `beforeSend`, redaction, the integrity chain.
 * Returns the event to send (the same one, changed, or another), or null to drop it on purpose
 * (`dropped.beforeSend`). If it throws or rejects, privacy fails closed: the event is dropped
 * unsent (`dropped.prepareFailed`, `onError` reason `prepare-failed`); the other events go out.
 */
export type PrepareEvent = (event: Event) => Event | null | Promise<Event | null>;

/** What the prepare stage is given by its processor. */
export interface PrepareStageContext {
  readonly prepare: PrepareEvent | undefined;
  /** The exporter's `encodeEvents`; undefined for `toBinary`. */
  readonly encodeEvents: EncodeEventList | undefined;
  readonly stats: PipelineStats;
  readonly losses: LossReporter;
  /** Tells `onError`. */
  report(error: ConnectError, info: ExportErrorInfo): void;
}

/**
 * Moves events from the queue into the batcher. The events it holds meanwhile (taken off the
 * queue, not yet in the batcher) are counted here, and only here: `count`, from `firstSeq`.
 */
export class PrepareStage {
  #firstSeq = 0;
  #count = 0;
  /** Set by `abandon()` (shutdown's deadline): what is still being prepared was counted failed. */
  #abandoned = false;

  constructor(private readonly context: PrepareStageContext) {}

  /** Events being prepared or encoded. */
  get count(): number {
    return this.#count;
  }

  /** The `seq` of the oldest event being prepared (meaningful while `count > 0`). */
  get firstSeq(): number {
    return this.#firstSeq;
  }

  /** Prepares and encodes events until the batcher holds `maxBatchSize` or the queue is empty. */
  async fill(queue: EventQueue, batcher: Batcher, maxBatchSize: number): Promise<void> {
    while (batcher.length < maxBatchSize && queue.length > 0) {
      this.#firstSeq = queue.headSeq;
      const events = queue.take(maxBatchSize - batcher.length);
      this.#count = events.length;
      const kept: QueuedEvent[] = [];
      for (const { event, seq } of events) {
        const prepared = await this.#prepareOne(event);
        if (this.#abandoned) return;
        if (prepared !== null) kept.push({ event: prepared, seq });
      }
      for (const entry of this.#encode(kept)) batcher.add(entry);
      this.#count = 0;
    }
  }

  /**
   * Shutdown's deadline passed: the events being prepared count as failed (by the caller) and a
   * `prepare` ending later changes nothing. Returns how many there were.
   */
  abandon(): number {
    const count = this.#count;
    this.#abandoned = true;
    this.#count = 0;
    return count;
  }

  /** The prepared event, or null when it was dropped (filtered, or failed closed). */
  async #prepareOne(event: Event): Promise<Event | null> {
    const { prepare } = this.context;
    if (prepare === undefined) return event;
    let prepared: Event | null;
    try {
      prepared = await prepare(event);
      if (prepared !== null && !isMessage(prepared, EventSchema)) {
        throw new TypeError("prepare must return an Event or null");
      }
    } catch (error) {
      if (!this.#abandoned) this.#failClosed(event, error);
      return null;
    }
    if (prepared === null && !this.#abandoned) {
      this.#count--;
      this.context.losses.drop("beforeSend", 1);
    }
    return prepared;
  }

  /** Privacy fails closed: the event is dropped unsent, and `onError` is told. */
  #failClosed(event: Event, error: unknown): void {
    this.#count--;
    this.context.losses.drop("prepareFailed", 1, [event]);
    this.context.report(ConnectError.from(error, Code.Internal), finalFailure("prepare-failed", 1));
  }

  /**
   * The events with their encodings: one call of the exporter's `encodeEvents` (else one
   * `toBinary`) for all of them; if that throws, each one alone with `toBinary`, and an event that
   * cannot be encoded counts as failed (`encode-failed`). So an event the exporter's encoder does
   * not know is encoded by `toBinary`, and the errors are always `toBinary`'s.
   */
  #encode(entries: QueuedEvent[]): EncodedEvent[] {
    try {
      const bytes = (this.context.encodeEvents ?? encodeEvents)(
        entries.map((entry) => entry.event),
      );
      return entries.map(({ event, seq }, i) => ({ event, seq, bytes: bytes[i]! }));
    } catch {
      const encoded: EncodedEvent[] = [];
      for (const { event, seq } of entries) {
        try {
          encoded.push({ event, seq, bytes: encodeEvents([event])[0]! });
        } catch (error) {
          this.#count--;
          this.context.stats.failed(1);
          this.context.report(
            ConnectError.from(error, Code.InvalidArgument),
            finalFailure("encode-failed", 1),
          );
        }
      }
      return encoded;
    }
  }
}
