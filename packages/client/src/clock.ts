/** Wall-clock milliseconds, for timestamps. */
export function wallMs(): number {
  return Date.now();
}

/**
 * Monotonic milliseconds, for durations: a wall clock can step (NTP, DST-less but manual
 * changes) between a span's start and end; `performance.now()` cannot.
 */
export function monotonicMs(): number {
  return globalThis.performance?.now() ?? Date.now();
}
