// The loss ledger: events lost and not yet reported, per session, with the integrity chain's gaps.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Event } from "@chaukas/spec/common/v1";
import type { DropReason } from "./stats.js";

/**
 * Drops a loss report names: events the application meant to send. (`beforeSend` returning
 * null is a choice, and events emitted after `shutdown()` have nowhere to go.)
 */
export type LossReason = Exclude<DropReason, "beforeSend" | "shutdown">;

/** Every `LossReason`, checked complete by the compiler. */
const LOSS_REASONS: Record<LossReason, true> = {
  queueFull: true,
  prepareFailed: true,
  tooLarge: true,
  outboxFull: true,
};

export const isLossReason = (name: string): name is LossReason => Object.hasOwn(LOSS_REASONS, name);

/**
 * A stretch of a session's integrity chain whose events were lost after they were linked
 * (refused as too large, or removed from a full outbox): `verifyChain` accepts exactly this
 * break in the chain and reports it as reported.
 */
export interface ChainGap {
  /** `hash_prev` of the first lost event: the `content_hash` of the event before the gap. */
  readonly previousHash: string;
  /** `content_hash` of the last lost event: the `hash_prev` of the event after the gap. */
  readonly lastLostHash: string;
  /** Events lost in this stretch. */
  readonly events: number;
}

/** What was lost in one session (`sessionId` "" for events outside any session) since its last report. */
export interface LossRecord {
  readonly sessionId: string;
  readonly traceId: string;
  /** Events lost, all reasons together. */
  readonly events: number;
  readonly counts: Readonly<Partial<Record<LossReason, number>>>;
  /** The smallest and largest `event_id` lost (UUIDv7: the earliest and latest). */
  readonly firstEventId: string;
  readonly lastEventId: string;
  /** The earliest and latest `timestamp` of a lost event, in Unix ms. */
  readonly firstTimestampMs: number;
  readonly lastTimestampMs: number;
  /** Breaks in the integrity chain, in chain order (empty without the chain). */
  readonly chainGaps: readonly ChainGap[];
}

type OpenRecord = {
  /** `LossLedger.recorded` when the record's first loss was noted. */
  readonly firstRecorded: number;
} & {
  -readonly [K in keyof LossRecord]: K extends "counts"
    ? Partial<Record<LossReason, number>>
    : K extends "chainGaps"
      ? { -readonly [G in keyof ChainGap]: ChainGap[G] }[]
      : LossRecord[K];
};

/** Sessions with losses tracked at once; losses of further sessions go to the "" record. */
export const MAX_LOSS_SESSIONS = 1000;
/** Chain gaps listed per record; further gaps close the record so a new one starts. */
export const MAX_CHAIN_GAPS = 100;

/**
 * Losses not reported yet, per session, in the order sessions first lost something. Recording
 * is O(1) (it runs on the caller's stack when the queue is full); the processor takes records
 * out as loss reports when the queue has room.
 */
export class LossLedger {
  readonly #open = new Map<string, OpenRecord>();
  /** Records closed early (too many chain gaps) waiting to be taken. */
  readonly #closed: OpenRecord[] = [];
  #recorded = 0;

  /** Losses noted so far (a counter that only grows). */
  get recorded(): number {
    return this.#recorded;
  }

  /** `recorded` at the first loss of the oldest record not taken yet; Infinity when none. */
  get oldestPending(): number {
    const closed = this.#closed[0]?.firstRecorded ?? Number.POSITIVE_INFINITY;
    for (const record of this.#open.values()) return Math.min(closed, record.firstRecorded);
    return closed;
  }

  get size(): number {
    return this.#open.size + this.#closed.length;
  }

  /**
   * Notes one lost event. `linked` tells that it already went through the integrity step, so
   * its loss breaks the chain (a gap is listed when it carries a `content_hash`).
   */
  record(reason: LossReason, event: Event, linked: boolean): void {
    const ms = event.timestamp === undefined ? Date.now() : timestampMs(event.timestamp);
    const record = this.#openRecord(event.sessionId, event.traceId, event.eventId, ms);
    record.events++;
    record.counts[reason] = (record.counts[reason] ?? 0) + 1;
    this.#widen(record, event.eventId, event.eventId, ms, ms);
    if (linked && event.contentHash !== "" && record.sessionId === event.sessionId) {
      const gaps = record.chainGaps;
      const last = gaps[gaps.length - 1];
      if (last !== undefined && last.lastLostHash === event.hashPrev) {
        last.lastLostHash = event.contentHash;
        last.events++;
      } else {
        this.#addGap(record, {
          previousHash: event.hashPrev,
          lastLostHash: event.contentHash,
          events: 1,
        });
      }
    }
  }

  /**
   * Notes again what a lost loss report carried, so that the session's next report says it: a
   * report removed to make room must not take its counts with it.
   */
  merge(lost: LossRecord): void {
    const record = this.#openRecord(
      lost.sessionId,
      lost.traceId,
      lost.firstEventId,
      lost.firstTimestampMs,
    );
    record.events += lost.events;
    for (const [reason, count] of Object.entries(lost.counts) as [LossReason, number][]) {
      record.counts[reason] = (record.counts[reason] ?? 0) + count;
    }
    this.#widen(
      record,
      lost.firstEventId,
      lost.lastEventId,
      lost.firstTimestampMs,
      lost.lastTimestampMs,
    );
    if (record.sessionId === lost.sessionId) {
      for (const gap of lost.chainGaps) this.#addGap(record, { ...gap });
    }
  }

  /** The open record of a session (a new one if none), counting one more loss noted. */
  #openRecord(sessionId: string, traceId: string, firstId: string, firstMs: number): OpenRecord {
    let key = sessionId;
    if (!this.#open.has(key) && this.#open.size >= MAX_LOSS_SESSIONS) key = "";
    let record = this.#open.get(key);
    if (record === undefined) {
      record = {
        firstRecorded: this.#recorded,
        sessionId: key,
        traceId: key === "" ? "" : traceId,
        events: 0,
        counts: {},
        firstEventId: firstId,
        lastEventId: firstId,
        firstTimestampMs: firstMs,
        lastTimestampMs: firstMs,
        chainGaps: [],
      };
      this.#open.set(key, record);
    }
    this.#recorded++;
    return record;
  }

  #widen(record: OpenRecord, firstId: string, lastId: string, firstMs: number, lastMs: number) {
    if (firstId < record.firstEventId) record.firstEventId = firstId;
    if (lastId > record.lastEventId) record.lastEventId = lastId;
    record.firstTimestampMs = Math.min(record.firstTimestampMs, firstMs);
    record.lastTimestampMs = Math.max(record.lastTimestampMs, lastMs);
  }

  /** Lists a chain gap; at `MAX_CHAIN_GAPS` the record is closed so a new one starts. */
  #addGap(record: OpenRecord, gap: OpenRecord["chainGaps"][number]): void {
    record.chainGaps.push(gap);
    if (record.chainGaps.length >= MAX_CHAIN_GAPS && this.#open.get(record.sessionId) === record) {
      this.#open.delete(record.sessionId);
      this.#closed.push(record);
    }
  }

  /** The oldest record not reported yet, removed from the ledger. */
  take(): (LossRecord & { readonly firstRecorded: number }) | undefined {
    const closed = this.#closed.shift();
    if (closed !== undefined) return closed;
    for (const [key, record] of this.#open) {
      this.#open.delete(key);
      return record;
    }
    return undefined;
  }
}
