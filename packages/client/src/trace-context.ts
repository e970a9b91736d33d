/** A W3C trace context as carried by the `traceparent` header. */
export interface TraceParent {
  /** 32 lowercase hex characters, not all zeros. */
  readonly traceId: string;
  /** 16 lowercase hex characters, not all zeros: the caller's span. */
  readonly parentId: string;
  /** The trace flags byte; bit 0 is "sampled". */
  readonly flags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

/**
 * Parses a W3C `traceparent` header value (Trace Context Level 1, §3.2). Returns
 * `undefined` for anything invalid, as the spec says to then start a new trace rather
 * than fail: version `ff`, all-zero ids, upper-case hex, or extra fields on version 00.
 */
export function parseTraceparent(header: string): TraceParent | undefined {
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) {
    return undefined;
  }
  const [, version, traceId, parentId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  // Version 00 has exactly four fields; later versions may append more, which we ignore.
  if (version === "ff" || (version === "00" && rest !== undefined)) {
    return undefined;
  }
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_SPAN_ID) {
    return undefined;
  }
  return { traceId, parentId, flags: Number.parseInt(flags, 16) };
}

/** Formats a version-00 `traceparent` header value; `flags` defaults to 01 (sampled). */
export function formatTraceparent(context: {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags?: number;
}): string {
  const flags = (context.flags ?? 1).toString(16).padStart(2, "0");
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}
