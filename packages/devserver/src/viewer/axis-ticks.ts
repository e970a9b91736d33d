/** About how many ticks the time axis gets; `axisTicks` picks round values near it. */
const AXIS_TICKS = 6;

/**
 * Round tick values for an axis from 0 to `span` ms: steps of 1, 2 or 5 times a power of
 * ten, about `AXIS_TICKS` of them, so labels read "200 ms, 400 ms …" rather than "201 ms".
 */
export function axisTicks(span: number): number[] {
  if (!(span > 0)) return [0];
  const rough = span / AXIS_TICKS;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let i = 0; i * step <= span; i++) ticks.push(i * step);
  return ticks;
}
