// W3C `traceparent`: parsing and formatting the header that carries a trace and a parent span.
/** A W3C trace context as carried by the `traceparent` header. */
export interface TraceParent {
  /** 32 lowercase hex characters, not all zeros. */
  readonly traceId: string;
  /** 16 lowercase hex characters, not all zeros: the caller's span. */
  readonly parentId: string;
  /** The trace flags byte; bit 0 is "sampled". */
  readonly flags: number;
}

// Version (not ff), trace id and parent id (not all zeros), flags, and what later versions add.
const TRACEPARENT =
  /^(?!ff)([\da-f]{2})-((?!0{32})[\da-f]{32})-((?!0{16})[\da-f]{16})-([\da-f]{2})(-.*)?$/;

/**
 * Parses a W3C `traceparent` header value (Trace Context Level 1, §3.2). Returns
 * `undefined` for anything invalid, as the spec says to then start a new trace rather
 * than fail: version `ff`, all-zero ids, upper-case hex, or extra fields on version 00.
 */
export function parseTraceparent(header: string): TraceParent | undefined {
  const [, version, traceId, parentId, flags, rest] = TRACEPARENT.exec(header.trim()) ?? [];
  // Version 00 has exactly four fields; later versions may append more, which we ignore.
  if (traceId && parentId && flags && !(version === "00" && rest)) {
    return { traceId, parentId, flags: Number.parseInt(flags, 16) };
  }
  return undefined;
}

/** Formats a version-00 `traceparent` header value; `flags` defaults to 01 (sampled). */
export function formatTraceparent(context: {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags?: number;
}): string {
  return `00-${context.traceId}-${context.spanId}-${(256 | (context.flags ?? 1)).toString(16).slice(1)}`;
}
