import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { outcomeName } from "./call-counter.js";

/** Fail ingest calls with `code`; `afterStore` stores the events first (the reply is "lost"). */
export interface InjectedFailure {
  /** The code the failing calls get, e.g. `Code.Unavailable`. */
  readonly code: Code;
  /**
   * Store the call's events, then fail anyway: the client cannot know they arrived, so a
   * retry shows up as duplicates. Default: false (fail before storing anything).
   */
  readonly afterStore?: boolean;
}

/** The fault switches. They apply to `IngestEvent` and `IngestEventBatch` only. */
export interface FaultSettings {
  /** Refuse connections: the port is closed and open sockets are destroyed. Default: false. */
  down: boolean;
  /** Fail every k-th ingest call (k, 2k, …, counted from when this was set). Default: off. */
  failEvery: (InjectedFailure & { readonly k: number }) | undefined;
  /** Fail the first n ingest calls counted from when this was set. Default: off. */
  failFirst: (InjectedFailure & { readonly n: number }) | undefined;
  /** Delay every ingest call by this many milliseconds before handling it. Default: 0. */
  latencyMs: number;
  /** Replaces the server's `maxBatchBytes` (RESOURCE_EXHAUSTED, batch-too-large). Default: off. */
  maxBatchBytes: number | undefined;
  /** Adds `grpc-retry-pushback-ms` with this value to injected failures. Default: off. */
  retryPushbackMs: number | undefined;
}

/** The switches of a running devserver; assign a property to flip it at runtime. */
export interface DevServerFaults extends FaultSettings {
  /** Flips several switches at once. */
  set(settings: Partial<FaultSettings>): void;
  /** Turns every switch off and brings the server back up. */
  reset(): void;
  /** Resolves once the port matches `down`: closed, or accepting connections again. */
  settled(): Promise<void>;
  /** Ingest calls failed by `failEvery` / `failFirst` so far. */
  readonly injectedFailures: number;
}

/** All switches off. */
export const NO_FAULTS: Readonly<FaultSettings> = {
  down: false,
  failEvery: undefined,
  failFirst: undefined,
  latencyMs: 0,
  maxBatchBytes: undefined,
  retryPushbackMs: undefined,
};

/** Metadata key set on every injected failure, so a test can tell it from a real one. */
export const FAULT_METADATA_KEY = "chaukas-fault";

/** The gRPC metadata key telling a client how long to wait before retrying. */
export const RETRY_PUSHBACK_METADATA_KEY = "grpc-retry-pushback-ms";

/** The methods faults apply to: the ones that move events. */
const INGEST_METHODS = new Set(["IngestEvent", "IngestEventBatch"]);

/** The internal side of the switches: the interceptor and the hook the listener provides. */
export interface FaultController {
  readonly faults: DevServerFaults;
  readonly interceptor: Interceptor;
}

/**
 * Creates the switches. `applyDown` closes or reopens the port; its promise is what
 * `settled()` waits for.
 */
export function createFaults(
  initial: Partial<FaultSettings>,
  applyDown: (down: boolean) => Promise<void>,
): FaultController {
  const state: FaultSettings = { ...NO_FAULTS };
  let everyCount = 0;
  let firstCount = 0;
  let injected = 0;
  let pending: Promise<void> = Promise.resolve();

  const faults: DevServerFaults = {
    get down() {
      return state.down;
    },
    set down(down: boolean) {
      if (down === state.down) return;
      state.down = down;
      const previous = pending;
      // Serialised so a quick down/up/down ends in the state last asked for.
      pending = previous.then(() => applyDown(down));
    },
    get failEvery() {
      return state.failEvery;
    },
    set failEvery(value) {
      if (value !== undefined && !(Number.isInteger(value.k) && value.k >= 1)) {
        throw new RangeError(`failEvery.k must be an integer >= 1 (got ${value.k})`);
      }
      state.failEvery = value;
      everyCount = 0;
    },
    get failFirst() {
      return state.failFirst;
    },
    set failFirst(value) {
      if (value !== undefined && !(Number.isInteger(value.n) && value.n >= 0)) {
        throw new RangeError(`failFirst.n must be an integer >= 0 (got ${value.n})`);
      }
      state.failFirst = value;
      firstCount = 0;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = Math.max(0, ms);
    },
    get maxBatchBytes() {
      return state.maxBatchBytes;
    },
    set maxBatchBytes(bytes) {
      state.maxBatchBytes = bytes;
    },
    get retryPushbackMs() {
      return state.retryPushbackMs;
    },
    set retryPushbackMs(ms) {
      state.retryPushbackMs = ms;
    },
    get injectedFailures() {
      return injected;
    },
    set(settings) {
      // Through the setters, so validation and counter resets apply.
      for (const key of Object.keys(settings) as (keyof FaultSettings)[]) {
        (faults as unknown as Record<string, unknown>)[key] = settings[key];
      }
    },
    reset() {
      faults.set(NO_FAULTS);
    },
    settled() {
      return pending;
    },
  };
  faults.set(initial);

  /** Which failure, if any, this ingest call gets. Both counters advance on every call. */
  function pickFailure(): InjectedFailure | undefined {
    let failure: InjectedFailure | undefined;
    if (state.failFirst !== undefined) {
      firstCount += 1;
      if (firstCount <= state.failFirst.n) failure = state.failFirst;
    }
    if (state.failEvery !== undefined) {
      everyCount += 1;
      if (everyCount % state.failEvery.k === 0) failure ??= state.failEvery;
    }
    return failure;
  }

  function injectedError(failure: InjectedFailure, method: string): ConnectError {
    injected += 1;
    const metadata = new Headers({ [FAULT_METADATA_KEY]: "injected" });
    if (state.retryPushbackMs !== undefined) {
      metadata.set(RETRY_PUSHBACK_METADATA_KEY, String(state.retryPushbackMs));
    }
    const stored = failure.afterStore === true ? " after storing the events" : "";
    return new ConnectError(
      `injected fault: ${method} failed with ${outcomeName(failure.code)}${stored}`,
      failure.code,
      metadata,
    );
  }

  const interceptor: Interceptor = (next) => async (req) => {
    if (!INGEST_METHODS.has(req.method.name)) return next(req);
    if (state.latencyMs > 0) await sleep(state.latencyMs, req.signal);
    const failure = pickFailure();
    if (failure === undefined) return next(req);
    if (failure.afterStore !== true) throw injectedError(failure, req.method.name);
    await next(req);
    throw injectedError(failure, req.method.name);
  };

  return { faults, interceptor };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason, Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
