import type { Event, EventType, Severity } from "@chaukas/spec/common/v1";
import type { SpanRow } from "./span-rows.js";

/** The viewer's filters; an undefined field does not filter. */
export interface ViewerFilter {
  readonly type: EventType | undefined;
  /** Matches `agent_id` or `agent_name`. */
  readonly agent: string | undefined;
  /** This severity or a more severe one. */
  readonly minSeverity: Severity | undefined;
}

export const NO_FILTER: ViewerFilter = {
  type: undefined,
  agent: undefined,
  minSeverity: undefined,
};

export function isFiltering(filter: ViewerFilter): boolean {
  return (
    filter.type !== undefined || filter.agent !== undefined || filter.minSeverity !== undefined
  );
}

export function eventMatches(event: Event, filter: ViewerFilter): boolean {
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (
    filter.agent !== undefined &&
    event.agentId !== filter.agent &&
    event.agentName !== filter.agent
  ) {
    return false;
  }
  if (filter.minSeverity !== undefined && event.severity < filter.minSeverity) return false;
  return true;
}

/** A row matches when its START (or single) event or its END event does. */
export function rowMatches(row: SpanRow, filter: ViewerFilter): boolean {
  return (
    eventMatches(row.first, filter) || (row.end !== undefined && eventMatches(row.end, filter))
  );
}

/**
 * Which rows to show under a filter: the matching ones, plus their ancestors (dimmed by the
 * caller) so a match is still seen where it sits in the tree.
 */
export function visibleRows(
  rows: readonly SpanRow[],
  filter: ViewerFilter,
): { row: SpanRow; matches: boolean }[] {
  if (!isFiltering(filter)) return rows.map((row) => ({ row, matches: true }));
  const shown: { row: SpanRow; matches: boolean }[] = [];
  // Rows are depth-first, so the ancestors of a row are the open entries of this stack.
  const ancestors: { row: SpanRow; index: number | undefined }[] = [];
  for (const row of rows) {
    while (ancestors.length > 0 && (ancestors.at(-1)?.row.depth ?? -1) >= row.depth) {
      ancestors.pop();
    }
    const matches = rowMatches(row, filter);
    if (matches) {
      for (const ancestor of ancestors) {
        if (ancestor.index === undefined) {
          ancestor.index = shown.length;
          shown.push({ row: ancestor.row, matches: false });
        }
      }
    }
    const index = matches ? shown.length : undefined;
    if (matches) shown.push({ row, matches: true });
    ancestors.push({ row, index });
  }
  return shown;
}
