/**
 * `@chaukas/client/query`: the filter `ChaukasClient.query` accepts (`EventFilter`, `QueryOrder`,
 * `TimeInput`) and `toQueryFilter`, which turns it into a `chaukas.spec.common.v1.QueryFilter`.
 *
 * @module query
 */
import { create, type DescEnum, type DescField } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type EventStatus,
  type EventType,
  type QueryFilter,
  QueryFilterSchema,
  type Severity,
  SortOrder,
} from "@chaukas/spec/common/v1";
import { copyStrings } from "./builders/input-checks.js";
import { epochMsOf, type TimeInput } from "./builders/time-input.js";

export type { TimeInput } from "./builders/time-input.js";

import { ChaukasValidationError } from "./validation/validation-error.js";

/** A filter as plain data; every field is optional and ANDed with the others. */
export interface EventFilter {
  /** Default: the client's `tenantId`. */
  readonly tenantId?: string;
  /** Default: the client's `projectId`. */
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly agentId?: string;
  readonly spanId?: string;
  readonly traceId?: string;
  /** Enum values, or names with or without prefix: "TOOL_CALL_START", "EVENT_TYPE_TOOL_CALL_START". */
  readonly types?: readonly (EventType | string)[];
  /** E.g. "FAILED" or `EventStatus.FAILED`. */
  readonly statuses?: readonly (EventStatus | string)[];
  /** E.g. "ERROR" or `Severity.ERROR`. */
  readonly severities?: readonly (Severity | string)[];
  readonly tags?: readonly string[];
  /** Full-text search; what it matches is up to the backend. */
  readonly textQuery?: string;
  /** Only events with `start <= timestamp < end` (either bound optional). */
  readonly time?: { readonly start?: TimeInput; readonly end?: TimeInput };
}

/** Sort order by event time. */
export type QueryOrder = "asc" | "desc";

/**
 * Turns a plain filter into a `QueryFilter`, filling tenant and project from the client.
 * Throws `ChaukasValidationError` (field in proto names, e.g. `types[1]`) for unknown enum
 * names or values, unparsable times and values of the wrong type. Keys that are not fields of
 * `QueryFilter` are ignored.
 */
export function toQueryFilter(
  filter: EventFilter,
  defaults: { readonly tenantId: string; readonly projectId: string },
): QueryFilter {
  if (typeof filter !== "object" || filter === null) {
    throw new ChaukasValidationError("filter", "expected a filter object");
  }
  const init: Record<string, unknown> = { ...defaults };
  // Driven by the descriptor: each key is converted as its QueryFilter field's kind says.
  for (const [key, value] of Object.entries(filter)) {
    const field = (QueryFilterSchema.field as Record<string, DescField | undefined>)[key];
    if (value === undefined || field === undefined) continue;
    init[key] =
      field.fieldKind === "message"
        ? {
            start: time((value as EventFilter["time"])!.start, "time.start"),
            end: time((value as EventFilter["time"])!.end, "time.end"),
          }
        : field.fieldKind !== "list"
          ? string(value, field.name)
          : field.listKind === "enum"
            ? enumList(value, field.enum, field.name)
            : copyStrings(value, field.name);
  }
  return create(QueryFilterSchema, init);
}

function string(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new ChaukasValidationError(field, `expected a string, got ${typeof value}`);
  }
  return value;
}

/**
 * @internal `"asc"`/`"desc"` (or undefined: the backend's default, newest first) to `SortOrder`,
 * for `ChaukasClient.query`.
 */
export function toSortOrder(order: QueryOrder | undefined): SortOrder {
  if (order === undefined) return SortOrder.UNSPECIFIED;
  if (order === "asc") return SortOrder.ASC;
  if (order === "desc") return SortOrder.DESC;
  throw new ChaukasValidationError(
    "order_by_time",
    `expected "asc" or "desc", got ${String(order)}`,
  );
}

/** Enum values, or their names with or without the type's prefix (`EVENT_TYPE_`). */
function enumList(values: unknown, desc: DescEnum, field: string): number[] {
  if (!Array.isArray(values)) {
    throw new ChaukasValidationError(field, "expected an array");
  }
  return values.map((value, i) => {
    const found =
      typeof value === "number"
        ? desc.value[value]
        : desc.values.find((v) => v.name === value || v.localName === value);
    if (!found?.number) {
      throw new ChaukasValidationError(
        `${field}[${i}]`,
        `${JSON.stringify(value)} is not a value of ${desc.typeName}`,
      );
    }
    return found.number;
  });
}

function time(value: TimeInput | undefined, field: string) {
  return value === undefined ? undefined : timestampFromMs(epochMsOf(value, field));
}
