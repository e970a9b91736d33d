/**
 * Events per second per caller, as token buckets: each caller's bucket holds up to `burst`
 * events and refills at `perSecond`. Memory is bounded by `maxCallers`: the least recently seen
 * caller's bucket is forgotten first (it starts full again, which is what an idle caller's
 * bucket would be).
 */
export interface CallerBudgets {
  /**
   * Takes `events` from `caller`'s bucket: 0 when they fit (and are taken), else the ms until
   * they would fit (nothing is taken). `events` above the burst never fit: check that first.
   */
  take(caller: string, events: number): number;
}

/** Options of `createCallerBudgets`. */
export interface CallerBudgetOptions {
  /** Refill rate; `Infinity` never refuses. */
  readonly perSecond: number;
  /** The bucket's size. */
  readonly burst: number;
  /** Buckets kept at most. */
  readonly maxCallers: number;
  /** The clock, in ms. Default: `Date.now`. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

export function createCallerBudgets(options: CallerBudgetOptions): CallerBudgets {
  const { perSecond, burst, maxCallers, now = Date.now } = options;
  /** In least recently seen first order: a bucket is re-inserted whenever it is used. */
  const buckets = new Map<string, Bucket>();

  const refilled = (bucket: Bucket, time: number): number =>
    Math.min(burst, bucket.tokens + ((time - bucket.at) / 1000) * perSecond);

  const remember = (caller: string, bucket: Bucket) => {
    buckets.delete(caller);
    buckets.set(caller, bucket);
    if (buckets.size > maxCallers) {
      buckets.delete(buckets.keys().next().value as string);
    }
  };

  return {
    take(caller, events) {
      if (perSecond === Infinity) return 0;
      const time = now();
      const bucket = buckets.get(caller) ?? { tokens: burst, at: time };
      const tokens = refilled(bucket, time);
      if (tokens < events) {
        remember(caller, { tokens, at: time });
        return Math.ceil(((events - tokens) / perSecond) * 1000);
      }
      remember(caller, { tokens: tokens - events, at: time });
      return 0;
    },
  };
}
