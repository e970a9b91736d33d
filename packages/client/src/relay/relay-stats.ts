// What a relay counts (`RelayStats`), and the one place the counts change.

import type { RelayCall } from "./relay-call.js";

/** What a relay has done since it was created. */
export interface RelayStats {
  /** Events handed to the server's client (which counts their delivery in its own stats). */
  readonly forwarded: number;
  /** Events rejected because their session is not among the caller's `sessionIds`. */
  readonly foreignSession: number;
  /** Requests `authorize` refused (401). */
  readonly unauthorized: number;
  /** Requests over the caller's events per second (429 with `retry-after`). */
  readonly rateLimited: number;
  /** Requests over `maxRequestBytes`, or batches over `burstEvents` (the client splits them). */
  readonly tooLarge: number;
  /** Requests that could not be read as a valid batch (400); nothing of them was forwarded. */
  readonly malformed: number;
}

/** The relay's counters: changed only by `record`, once per answered request. */
export interface RelayCounters {
  record(call: RelayCall<unknown>): void;
  snapshot(): RelayStats;
}

export function createRelayCounters(): RelayCounters {
  const counts = {
    forwarded: 0,
    foreignSession: 0,
    unauthorized: 0,
    rateLimited: 0,
    tooLarge: 0,
    malformed: 0,
  } satisfies { -readonly [K in keyof RelayStats]: number };
  return {
    record(call) {
      counts.forwarded += call.forwarded;
      counts.foreignSession += call.foreignSession;
      if (call.refusal !== undefined) counts[call.refusal]++;
    },
    snapshot: () => ({ ...counts }),
  };
}
