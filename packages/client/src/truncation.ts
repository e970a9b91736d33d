import type { Event } from "@chaukas/spec/common/v1";

/**
 * The `metadata` key an event carries when the client truncated its payload to keep it while
 * the queue was full. Its value: `{ reason: "queue_full", max_chars, max_items, fields }`, where
 * `fields` lists the JSON paths cut (at most `TRUNCATION_LIMITS.maxPaths`; `fields_omitted`
 * counts the rest).
 */
export const TRUNCATION_KEY = "chaukas_truncated";

/** How far a payload is cut when the queue is full (see `truncatePayload`). */
export const TRUNCATION_LIMITS = {
  /** Characters kept of each string in the payload. */
  maxChars: 256,
  /** Items kept of each list, and keys of each JSON object, in the payload. */
  maxItems: 16,
  /** Paths listed in the truncation record. */
  maxPaths: 32,
} as const;

/** The truncated copy of an event and the paths that were cut; unchanged when nothing was. */
export interface TruncatedEvent {
  readonly event: Event;
  readonly fields: readonly string[];
}

/**
 * A copy of `event` whose payload (its `content`: text, arguments, outputs, requests, responses,
 * state, error details) keeps at most `maxChars` characters of each string and `maxItems` items of
 * each list or JSON object, with a record of the cut under `metadata.chaukas_truncated`. Ids,
 * types, timing and every other field are kept as they are. The event itself is not changed; when
 * nothing needs cutting it is returned as is, with no fields.
 */
export function truncatePayload(event: Event): TruncatedEvent {
  const { content } = event;
  if (content.case === undefined) return { event, fields: [] };
  const fields: string[] = [];
  const value = truncateValue(content.value, content.case, fields);
  if (fields.length === 0) return { event, fields };
  const metadata = {
    ...event.metadata,
    [TRUNCATION_KEY]: {
      reason: "queue_full",
      max_chars: TRUNCATION_LIMITS.maxChars,
      max_items: TRUNCATION_LIMITS.maxItems,
      fields: fields.slice(0, TRUNCATION_LIMITS.maxPaths),
      ...(fields.length > TRUNCATION_LIMITS.maxPaths && {
        fields_omitted: fields.length - TRUNCATION_LIMITS.maxPaths,
      }),
    },
  };
  // A message is a plain object: the copy shares the unchanged fields with the event, as an
  // event passed to `emit` shares them with the caller's. The cut payload is of the same case.
  const copy: Event = {
    ...event,
    content: { case: content.case, value } as Event["content"],
    metadata,
  };
  return { event: copy, fields };
}

/**
 * `value` with its strings, lists and JSON objects cut, as a new value where something was cut
 * (the same one otherwise); the paths cut are added to `fields`. Messages (objects with a
 * `$typeName`) keep every field and have their fields walked; Timestamps and other non-string
 * scalars are kept.
 */
function truncateValue(value: unknown, path: string, fields: string[]): unknown {
  const { maxChars, maxItems } = TRUNCATION_LIMITS;
  if (typeof value === "string") {
    if (value.length <= maxChars) return value;
    fields.push(path);
    return value.slice(0, maxChars);
  }
  if (Array.isArray(value)) {
    const kept = value
      .slice(0, maxItems)
      .map((item, i) => truncateValue(item, `${path}[${i}]`, fields));
    if (value.length > maxItems) fields.push(path);
    return kept;
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  const isMessage = "$typeName" in value;
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (const [key, item] of entries) {
    if (!isMessage && kept >= maxItems) {
      fields.push(path);
      break;
    }
    out[key] = key === "$typeName" ? item : truncateValue(item, `${path}.${key}`, fields);
    kept++;
  }
  return out;
}
