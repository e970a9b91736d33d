/**
 * The rule every framework integration keeps: its own failure (an event the client refused, a
 * framework value it could not read) never reaches the framework. It is counted and told to the
 * user's `onError`, and the framework goes on as if the integration were not there.
 */

/** A guard made by `createIntegrationGuard`. `Info` says where a failure happened (a hook name). */
export interface IntegrationGuard<Info> {
  /** Runs `fn` and returns its result; if it throws, counts and reports it and returns `fallback`. */
  run<T>(info: Info, fallback: T, fn: () => T): T;
  /** `fn` as a framework callback under `run` (returns `undefined` when it throws). */
  wrap<Args extends unknown[]>(info: Info, fn: (...args: Args) => void): (...args: Args) => void;
  /** Counts and reports a failure caught elsewhere (a rejected promise of the integration's). */
  report(error: unknown, info: Info): void;
  /**
   * `report`, the first time only for `key`: a condition that holds for every call (an SDK
   * internal the integration cannot find) is told once, not once per call.
   */
  reportOnce(key: string, error: unknown, info: Info): void;
  /** Failures counted so far. */
  readonly failed: number;
}

/**
 * Creates a guard that reports to `onError` (what `onError` throws is ignored: it must not
 * reach the framework either).
 * ```ts
 * const guard = createIntegrationGuard(options.onError);
 * framework.on("toolStart", guard.wrap("toolStart", (event) => spans.start(event)));
 * ```
 */
export function createIntegrationGuard<Info = string>(
  onError?: (error: unknown, info: Info) => void,
): IntegrationGuard<Info> {
  let failed = 0;
  const reported = new Set<string>();
  const report = (error: unknown, info: Info) => {
    failed++;
    try {
      onError?.(error, info);
    } catch {
      // Informational only: the handler's own failure is not the framework's concern.
    }
  };
  const run = <T>(info: Info, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      report(error, info);
      return fallback;
    }
  };
  return {
    run,
    wrap:
      (info, fn) =>
      (...args) =>
        run(info, undefined, () => fn(...args)),
    report,
    reportOnce(key, error, info) {
      if (reported.has(key)) return;
      reported.add(key);
      report(error, info);
    },
    get failed() {
      return failed;
    },
  };
}
