/** The line prefix a benchmark child uses to hand its measurements to the runner. */
export const RESULT_PREFIX = "BENCH_RESULT ";

/**
 * Hands one benchmark's measurements to the runner. Children print other lines freely (they
 * are shown on failure); only the prefixed line is parsed.
 */
export function reportResult(result: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Reads the prefixed line back out of a child's stdout. */
export function parseResult(stdout: string): Record<string, unknown> | undefined {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  return line === undefined ? undefined : JSON.parse(line.slice(RESULT_PREFIX.length));
}
