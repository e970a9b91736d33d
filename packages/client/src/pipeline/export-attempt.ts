// One export attempt: a call of `exporter.export` with its deadline and shutdown's abort.
import type { EventBatch } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { EventExporter } from "../wire/exporter.js";

/** How one export attempt ended. */
export type AttemptResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error: ConnectError;
      /** True when the export deadline passed first (the exporter was aborted). */
      readonly timedOut: boolean;
    };

/** Options of `attemptExport`. */
export interface AttemptOptions {
  /** The attempt's deadline, in ms: the exporter's `timeoutMs` (see `BatchProcessorOptions`). */
  readonly timeoutMs: number;
  readonly keepalive: boolean;
  /** Aborts the attempt from outside (shutdown's deadline); its reason is the result's error. */
  readonly signal: AbortSignal;
}

/**
 * One call of `exporter.export` with a deadline. Settles when the exporter does, or at the
 * deadline or the outside abort even if the exporter ignores its signal and hangs. Never rejects.
 */
export async function attemptExport(
  exporter: EventExporter,
  batch: EventBatch,
  { timeoutMs, keepalive, signal: outside }: AttemptOptions,
): Promise<AttemptResult> {
  const controller = new AbortController();
  const { signal } = controller;
  const timer = setTimeout(
    () =>
      controller.abort(
        new ConnectError(`the export deadline (${timeoutMs} ms) passed`, Code.DeadlineExceeded),
      ),
    timeoutMs,
  );
  unrefTimer(timer);
  const abortFromOutside = () => controller.abort(outside.reason);
  outside.addEventListener("abort", abortFromOutside, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      if (outside.aborted) throw outside.reason;
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      Promise.resolve(exporter.export(batch, { signal, keepalive })).then(resolve, reject);
    });
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: ConnectError.from(error),
      timedOut: signal.aborted && !outside.aborted,
    };
  } finally {
    clearTimeout(timer);
    outside.removeEventListener("abort", abortFromOutside);
  }
}

/** Lets Node and edge runtimes exit while a timer is pending (a no-op where timers are numbers). */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
