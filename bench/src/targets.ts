/** One target of a row, checked against what was measured in this run. */
export interface TargetCheck {
  /** The target as the issue states it, e.g. "≤ 1.0× OTel". */
  readonly target: string;
  /** `undefined` when the figure could not be measured (a contender is missing). */
  readonly met: boolean | undefined;
  /** The measured figure and, when missed, by how much. */
  readonly detail: string;
  /** A figure shown beside the targets (e.g. another unit), with no verdict of its own. */
  readonly informational?: true;
}

/** Checks `value ≤ limit`; a miss says by how much, in the figure's own unit and in percent. */
export function atMost(
  target: string,
  value: number | undefined,
  limit: number,
  format: (n: number) => string,
): TargetCheck {
  if (value === undefined || Number.isNaN(value)) {
    return { target, met: undefined, detail: "not measured" };
  }
  if (value <= limit) {
    return { target, met: true, detail: format(value) };
  }
  const over = value - limit;
  return {
    target,
    met: false,
    detail: `${format(value)}: over by ${format(over)} (${((over / limit) * 100).toFixed(0)}%)`,
  };
}

/** Checks `value ≥ limit`; a miss says by how much it falls short. */
export function atLeast(
  target: string,
  value: number | undefined,
  limit: number,
  format: (n: number) => string,
): TargetCheck {
  if (value === undefined || Number.isNaN(value)) {
    return { target, met: undefined, detail: "not measured" };
  }
  if (value >= limit) {
    return { target, met: true, detail: format(value) };
  }
  const under = limit - value;
  return {
    target,
    met: false,
    detail: `${format(value)}: short by ${format(under)} (${((under / limit) * 100).toFixed(0)}%)`,
  };
}

/** A yes/no property (e.g. drops counted exactly). */
export function holds(target: string, value: boolean | undefined, detail: string): TargetCheck {
  return { target, met: value, detail: value === undefined ? "not measured" : detail };
}

/** A figure with no target of its own, shown in the table beside the ones that have one. */
export function shown(label: string, detail: string): TargetCheck {
  return { target: label, met: undefined, detail, informational: true };
}
