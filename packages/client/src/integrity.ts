/**
 * `@chaukas/client/integrity`: the per-session hash chain (`createIntegrityChain`), the hash of
 * one event (`contentHash`) and the check of a stored chain (`verifyChain`).
 */
import { toBinary } from "@bufbuild/protobuf";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import type { IntegrityChain } from "./client.js";
import { withSortedStructKeys } from "./integrity/struct-key-order.js";
import type { ChainGap } from "./pipeline/loss-ledger.js";
import { lossReportOf } from "./pipeline/loss-report.js";
import { sha256Hex } from "./sha256.js";

/**
 * The integrity hash of one event: lowercase hex SHA-256 of its binary encoding with
 * `hash_prev`, `content_hash` and `worm_proof_id` cleared. The keys of every Struct the schema
 * has (`withSortedStructKeys`) are put in a canonical order first (JSON objects have no order,
 * and a backend that stores JSON may hand them back reordered), and unknown fields are not
 * written, so the same event hashes the same wherever it is re-encoded.
 */
export async function contentHash(event: Event): Promise<string> {
  const copy: Event = {
    ...withSortedStructKeys(EventSchema, event),
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
  };
  return sha256Hex(toBinary(EventSchema, copy, { writeUnknownFields: false }));
}

/** A loss report found in a verified chain: events the SDK dropped, and said so. */
export interface ReportedLoss {
  /** Index of the loss report (a SYSTEM event) in the array given to `verifyChain`. */
  readonly index: number;
  readonly eventId: string;
  /** Events it says were lost, all reasons together. */
  readonly lostEvents: number;
  /**
   * Indexes of the events after which the chain skips events this report lists (lost after
   * they were linked: refused as too large, or removed from a full outbox). Events dropped
   * before they were linked (queue full, a failed prepare) leave no break.
   */
  readonly chainBreaks: readonly number[];
}

/** The result of `verifyChain`. */
export type ChainVerification =
  | {
      readonly ok: true;
      /** The session's loss reports, with the breaks they account for: only when there are some. */
      readonly reportedLosses?: readonly ReportedLoss[];
    }
  | {
      readonly ok: false;
      /** Index in the array given to `verifyChain` of the first event that breaks the chain. */
      readonly index: number;
      readonly eventId: string;
      readonly reason: string;
    };

/** Options of `verifyChain`. */
export interface VerifyChainOptions {
  /**
   * The `hash_prev` the first event must carry. Default: "" (the events start the chain);
   * pass the `content_hash` of the event before the first to verify a slice.
   */
  readonly previousHash?: string;
}

/**
 * Verifies one session's chain. `events` must be that session's events **in emission
 * order** (query with `order: "asc"`; events with equal timestamps keep the order the
 * backend returns, which for UUIDv7 ids is emission order): the chain is checked as given,
 * not re-sorted. Reports the first event whose `content_hash` does not match its content
 * (it was altered), whose `hash_prev` is not its predecessor's `content_hash` (an event
 * was removed, inserted or reordered), or that belongs to another session.
 *
 * Two breaks are not failures: after a SESSION_END the chain starts afresh (`hash_prev` ""),
 * as `createIntegrityChain` does; and a gap that a loss report among `events` lists (the SDK
 * dropped those events after linking them, and said so) is passed over and returned in
 * `reportedLosses` with every loss report of the chain. A loss report is itself in the chain, so it cannot be added or changed
 * without breaking it: "dropped and reported" is told apart from "removed by someone".
 */
export async function verifyChain(
  events: readonly Event[],
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  let expectedPrev = options.previousHash ?? "";
  const sessionId = events[0]?.sessionId;
  const reports = new Map<number, { lostEvents: number; gaps: ChainGap[]; breaks: number[] }>();
  for (const [index, event] of events.entries()) {
    const report = lossReportOf(event);
    if (report !== undefined) reports.set(index, { ...report, breaks: [] });
  }
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    const fail = (reason: string): ChainVerification => ({
      ok: false,
      index,
      eventId: event.eventId,
      reason,
    });
    if (event.sessionId !== sessionId) {
      return fail(`session_id ${event.sessionId} differs from the first event's ${sessionId}`);
    }
    if (event.contentHash === "") {
      return fail(
        "content_hash is missing (was the client created with integrity: createIntegrityChain()?)",
      );
    }
    const actual = await contentHash(event);
    if (actual !== event.contentHash) {
      return fail("content_hash does not match the event's content: the event was altered");
    }
    const reportedBreak =
      event.hashPrev !== expectedPrev &&
      [...reports.values()].find(({ gaps }) =>
        gaps.some((g) => g.previousHash === expectedPrev && g.lastLostHash === event.hashPrev),
      );
    if (reportedBreak) {
      reportedBreak.breaks.push(index);
    } else if (event.hashPrev !== expectedPrev) {
      return fail(
        index === 0 && options.previousHash === undefined
          ? "hash_prev is set: this is not the first event of the chain (pass previousHash)"
          : "hash_prev is not the previous event's content_hash: an event is missing, extra or out of order",
      );
    }
    expectedPrev = event.type === EventType.SESSION_END ? "" : event.contentHash;
  }
  if (reports.size === 0) return { ok: true };
  const reportedLosses = [...reports].map(([index, { lostEvents, breaks }]) => ({
    index,
    eventId: events[index]!.eventId,
    lostEvents,
    chainBreaks: breaks,
  }));
  return { ok: true, reportedLosses };
}

/**
 * The per-session hash chain for the client's `integrity` option:
 * `createChaukasClient({ ..., integrity: createIntegrityChain() })`. Each event gets
 * `content_hash`, and `hash_prev` = the previous event's `content_hash` in the same session
 * (empty for the first), in the order the client's serial prepare step sees them (queue order,
 * even when exports run concurrently). A session's link is forgotten at SESSION_END to bound
 * memory; an event emitted in that session afterwards starts a new chain.
 */
export function createIntegrityChain(): IntegrityChain & {
  /** Sessions with an open chain. */
  readonly openSessions: number;
} {
  const last = new Map<string, string>();
  return {
    async link(event) {
      event.hashPrev = last.get(event.sessionId) ?? "";
      event.contentHash = await contentHash(event);
      if (event.type === EventType.SESSION_END) {
        last.delete(event.sessionId);
      } else {
        last.set(event.sessionId, event.contentHash);
      }
    },
    get openSessions() {
      return last.size;
    },
  };
}
