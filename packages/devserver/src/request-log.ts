import type { DevServerLogger } from "./options.js";

/** How many refused-request lines the log takes per window; the rest are counted. */
export const REQUEST_LOG_LIMIT = {
  /** Lines per window. */
  lines: 20,
  /** Window length in milliseconds. */
  windowMs: 10_000,
} as const;

/** One log line per refused or unrouted request, at most `REQUEST_LOG_LIMIT` of them. */
export interface RequestLog {
  /** Logs `line` unless this window's lines are used up (then it is counted). */
  refused(line: string): void;
}

/**
 * A rate-limited log of refused requests, so that a client hammering a wrong URL cannot flood
 * the terminal. A window that dropped lines is reported by the first line of a later one: no
 * timer keeps the process alive.
 */
export function createRequestLog(
  logger: DevServerLogger,
  now: () => number = Date.now,
  limit: { readonly lines: number; readonly windowMs: number } = REQUEST_LOG_LIMIT,
): RequestLog {
  let windowStart = Number.NEGATIVE_INFINITY;
  let linesInWindow = 0;
  let dropped = 0;
  return {
    refused(line) {
      const at = now();
      if (at - windowStart >= limit.windowMs) {
        windowStart = at;
        linesInWindow = 0;
      }
      if (linesInWindow >= limit.lines) {
        dropped += 1;
        return;
      }
      linesInWindow += 1;
      const note =
        dropped === 0
          ? ""
          : ` (${dropped} more refused request${dropped === 1 ? "" : "s"} not logged before this)`;
      dropped = 0;
      logger.info(`refused ${line}${note}`);
    },
  };
}
