/**
 * Tracks peak resident set size. A timer samples while the event loop turns; synchronous
 * loops call `sample()` themselves, because a timer cannot fire inside them.
 */
export interface RssSampler {
  sample(): void;
  /** Stops the timer and returns the baseline and the peak seen, in bytes. */
  stop(): { baselineBytes: number; peakBytes: number };
}

/** Starts sampling; the first sample is the baseline the growth is measured from. */
export function startRssSampler(intervalMs = 5): RssSampler {
  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakBytes) {
      peakBytes = rss;
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return { baselineBytes, peakBytes };
    },
  };
}
