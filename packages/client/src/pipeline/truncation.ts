// Payload truncation: an event's content cut to fixed limits so a full queue keeps it.
import type { Event } from "@chaukas/spec/common/v1";
import { formatFieldPath } from "../validation/field-path.js";

/**
 * The `metadata` key an event carries when the client truncated its payload to keep it while
 * the queue was full. Its value: `{ reason: "queue_full", max_chars, max_items, fields }`, where
 * `fields` lists the paths cut, in the syntax of redaction paths (at most
 * `TRUNCATION_LIMITS.maxPaths`; `fields_omitted` counts the rest).
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
  const value = cutValue(content.value, [protoName(content.case)], fields);
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
 * `value` with its strings, lists and JSON objects cut. Nothing is copied unless something is
 * cut (a full queue walks every event it drops): then only what changed is new. Messages
 * (objects with a `$typeName`) keep every field and have their fields walked; Timestamps and
 * other non-string scalars are kept. `at` holds the keys down to `value`; the path of each cut is
 * added to `fields`.
 */
function cutValue(value: unknown, at: (string | number)[], fields: string[]): unknown {
  const { maxChars, maxItems } = TRUNCATION_LIMITS;
  if (typeof value === "string") {
    if (value.length <= maxChars) return value;
    fields.push(formatFieldPath(at));
    return value.slice(0, maxChars);
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    if (value.length > maxItems) {
      fields.push(formatFieldPath(at));
      copy = value.slice(0, maxItems);
    }
    for (let i = 0; i < Math.min(value.length, maxItems); i++) {
      at.push(i);
      const item = cutValue(value[i], at, fields);
      at.pop();
      if (item !== value[i]) {
        copy ??= value.slice();
        copy[i] = item;
      }
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const isMessage = "$typeName" in object;
  const kept = isMessage ? keys : keys.slice(0, maxItems);
  let copy: Record<string, unknown> | undefined;
  if (kept.length < keys.length) {
    fields.push(formatFieldPath(at));
    copy = {};
    for (const key of kept) copy[key] = object[key];
  }
  for (const key of kept) {
    if (key === "$typeName") continue;
    at.push(isMessage ? protoName(key) : key);
    const item = cutValue(object[key], at, fields);
    at.pop();
    if (item !== object[key]) {
      copy ??= { ...object };
      copy[key] = item;
    }
  }
  return copy ?? value;
}

/**
 * The proto name of a message field from its protobuf-es property name (`llmInvocation` →
 * `llm_invocation`): the spec's names are lower snake case, which protobuf-es camel-cases; a test
 * checks this for every field of the event's content.
 */
function protoName(localName: string): string {
  return localName.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
