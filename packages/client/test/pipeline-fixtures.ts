// What the pipeline's tests share: an in-memory backend, test events, an in-memory outbox, and
// the one assertion of the stats invariant (`expectBalanced`, `checkedEveryStep`).
import { create, toBinary } from "@bufbuild/protobuf";
import { ChaukasClientService, IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import {
  type Event,
  type EventBatch,
  EventSchema,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";
import {
  type ConnectError,
  createRouterTransport,
  type HandlerContext,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { expect } from "vitest";
import {
  type ChaukasStats,
  checkEventRules,
  type OutboxStore,
  type StoredBatch,
} from "../src/index.js";
import type { DropReason } from "../src/pipeline/stats.js";
import type { ErrorHook, ExportErrorInfo } from "../src/wire/export-error.js";

/**
 * What the test backend does with one IngestEventBatch call: return to accept it, throw a
 * ConnectError to reject it, or await something (a gate, the call's signal) to stall it.
 */
export type IngestBehaviour = (call: {
  /** 1-based number of this call. */
  readonly n: number;
  readonly batch: EventBatch;
  /** Binary size of the request as received. */
  readonly bytes: number;
  readonly context: HandlerContext;
}) => void | Promise<void>;

/**
 * A real Connect router implementing ChaukasClientService.IngestEventBatch in memory, reached
 * through `createRouterTransport` (the full Connect protocol, serialization included).
 */
export interface TestBackend {
  readonly transport: Transport;
  /** Batches accepted, in the order they were accepted. */
  readonly accepted: EventBatch[];
  /** Every call's batch, rejected ones included. */
  readonly received: EventBatch[];
  /** Binary sizes of the accepted requests, parallel to `accepted`. */
  readonly acceptedBytes: number[];
  /** Most calls that were inside the handler at once. */
  readonly maxConcurrent: number;
  readonly calls: number;
  /** Ids of every accepted event, in arrival order. */
  acceptedIds(): string[];
  behaviour: IngestBehaviour;
}

export function createTestBackend(
  options: {
    behaviour?: IngestBehaviour;
    readMaxBytes?: number;
    interceptors?: Interceptor[];
  } = {},
): TestBackend {
  let calls = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const accepted: EventBatch[] = [];
  const received: EventBatch[] = [];
  const acceptedBytes: number[] = [];
  const backend: TestBackend = {
    transport: createRouterTransport(
      ({ service }) => {
        service(ChaukasClientService, {
          async ingestEventBatch(request, context) {
            const n = ++calls;
            const batch = request.eventBatch;
            if (batch === undefined) {
              throw new Error("event_batch missing");
            }
            received.push(batch);
            concurrent++;
            maxConcurrent = Math.max(maxConcurrent, concurrent);
            try {
              const bytes = toBinary(IngestEventBatchRequestSchema, request).length;
              await backend.behaviour({ n, batch, bytes, context });
              accepted.push(batch);
              acceptedBytes.push(bytes);
              return {};
            } finally {
              concurrent--;
            }
          },
        });
      },
      {
        ...(options.readMaxBytes !== undefined && {
          router: { readMaxBytes: options.readMaxBytes },
        }),
        ...(options.interceptors !== undefined && {
          transport: { interceptors: options.interceptors },
        }),
      },
    ),
    accepted,
    received,
    acceptedBytes,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get calls() {
      return calls;
    },
    acceptedIds: () => accepted.flatMap((b) => b.events.map((e) => e.eventId)),
    behaviour: options.behaviour ?? (() => undefined),
  };
  return backend;
}

/** A promise the test opens by hand: stalls the backend until then. */
export function createGate(): { readonly wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A valid SYSTEM event with a fixed-width id, so every one encodes to the same size. */
export function testEvent(i: number, text = "tick"): Event {
  const event = create(EventSchema, {
    eventId: `evt-${String(i).padStart(8, "0")}`,
    tenantId: "acme",
    projectId: "support-bot",
    sessionId: "session-1",
    type: EventType.SYSTEM,
    severity: Severity.INFO,
    content: { case: "message", value: { role: "system", text } },
  });
  expect(checkEventRules(event)).toBeUndefined();
  return event;
}

export function testEvents(count: number, from = 0, text?: string): Event[] {
  return Array.from({ length: count }, (_, i) => testEvent(from + i, text));
}

export function encodedSize(event: Event): number {
  return toBinary(EventSchema, event).length;
}

/** The two sides of the invariant every `stats()` snapshot keeps. */
function balanceOf(stats: ChaukasStats): { readonly entered: number; readonly accounted: number } {
  const dropped = Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
  return {
    entered: stats.emitted + stats.recovered + stats.lossReports,
    accounted: stats.sent + stats.failed + dropped + stats.queued + stats.inFlight,
  };
}

/**
 * The invariant every `stats()` snapshot keeps, asserted here and nowhere else: nothing is
 * unaccounted for (`emitted + recovered + lossReports = sent + failed + dropped + queued +
 * inFlight`).
 */
export function expectBalanced(stats: ChaukasStats): void {
  const { entered, accounted } = balanceOf(stats);
  expect(entered, JSON.stringify(stats)).toBe(accounted);
}

/** The hooks a pipeline (client or processor) calls in the middle of its work. */
export interface PipelineHooks {
  readonly onDrop?: ((reason: DropReason, count: number) => void) | undefined;
  readonly onError?: ErrorHook | undefined;
}

/**
 * A client or processor (made by `create` from `options`) whose balance is asserted after every
 * step: after each call of one of its methods (flush and shutdown once they resolve), and inside
 * every `onDrop` and `onError` it makes. A hook's throw would be swallowed by the pipeline, so a
 * balance broken there is kept and fails the next call.
 */
export function checkedEveryStep<O extends PipelineHooks, P extends { stats(): ChaukasStats }>(
  create: (options: O) => P,
  options: O,
): P {
  let pipeline: P | undefined;
  const brokenInHooks: ChaukasStats[] = [];
  const checkInHook = () => {
    const stats = pipeline?.stats();
    if (stats === undefined) return;
    const { entered, accounted } = balanceOf(stats);
    if (entered !== accounted) brokenInHooks.push(stats);
  };
  pipeline = create({
    ...options,
    onDrop(reason: DropReason, count: number) {
      try {
        options.onDrop?.(reason, count);
      } finally {
        checkInHook();
      }
    },
    onError(error: ConnectError, info: ExportErrorInfo) {
      try {
        options.onError?.(error, info);
      } finally {
        checkInHook();
      }
    },
  });
  const checked = pipeline;
  const assertBalanced = () => {
    expect(brokenInHooks, "stats() inside onDrop/onError").toEqual([]);
    expectBalanced(checked.stats());
  };
  // The same promise for the same call result: `shutdown()` twice returns one promise.
  const checkedPromises = new WeakMap<Promise<unknown>, Promise<unknown>>();
  return new Proxy(checked, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      if (key === "stats") return value.bind(target);
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) {
          assertBalanced();
          return result;
        }
        let checkedResult = checkedPromises.get(result);
        if (checkedResult === undefined) {
          checkedResult = result.then((resolved) => {
            assertBalanced();
            return resolved;
          });
          checkedPromises.set(result, checkedResult);
        }
        return checkedResult;
      };
    },
  });
}

/** `onError` calls, kept for assertions. */
export function recordErrors(): {
  readonly errors: {
    error: ConnectError;
    info: { reason: string; willRetry: boolean; events: number; batchId: string };
  }[];
  onError(
    error: ConnectError,
    info: { reason: string; willRetry: boolean; events: number; batchId: string },
  ): void;
} {
  const errors: {
    error: ConnectError;
    info: { reason: string; willRetry: boolean; events: number; batchId: string };
  }[] = [];
  return {
    errors,
    onError(error, info) {
      errors.push({ error, info });
    },
  };
}

/** A retry sleep that records the delay it was asked for and returns at once. */
export function recordSleeps(): {
  readonly delays: number[];
  sleep(ms: number, signal: AbortSignal): Promise<void>;
} {
  const delays: number[] = [];
  return {
    delays,
    sleep(ms: number) {
      delays.push(ms);
      return Promise.resolve();
    },
  };
}

/** An outbox keeping records in memory (shared between "processes"), to inspect each step. */
export interface MemoryOutbox extends OutboxStore {
  readonly records: Map<string, Uint8Array>;
  /** Fail the next put. */
  failNextPut: boolean;
  /** Ids present when each put resolved, for "stored before its first attempt". */
  readonly puts: string[];
}

export function createMemoryOutbox(maxBytes = Number.POSITIVE_INFINITY): MemoryOutbox {
  const records = new Map<string, Uint8Array>();
  const outbox: MemoryOutbox = {
    records,
    failNextPut: false,
    puts: [],
    async put({ batchId, request }) {
      if (outbox.failNextPut) {
        outbox.failNextPut = false;
        throw new Error("disk full");
      }
      const evicted: StoredBatch[] = [];
      let total = request.length;
      for (const bytes of records.values()) total += bytes.length;
      for (const [id, bytes] of [...records].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (total <= maxBytes) break;
        records.delete(id);
        total -= bytes.length;
        evicted.push({ batchId: id, request: bytes });
      }
      records.set(batchId, request);
      outbox.puts.push(batchId);
      return { evicted };
    },
    async read(batchId) {
      const request = records.get(batchId);
      return request === undefined ? undefined : { batchId, request };
    },
    async remove(batchId) {
      records.delete(batchId);
    },
    async claim() {
      const batches = [...records]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([batchId, request]) => ({ batchId, request }));
      return { batches, corrupt: 0 };
    },
  };
  return outbox;
}
