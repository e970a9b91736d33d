import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import {
  type Capabilities,
  CapabilitiesSchema,
  type Event,
  EventSchema,
} from "@chaukas/spec/common/v1";
import {
  type CallOptions,
  type Client,
  Code,
  ConnectError,
  createClient,
  type Transport,
} from "@connectrpc/connect";
import { type BatchProcessorOptions, createBatchProcessor } from "./batch-processor.js";
import type { SessionOptions } from "./builder-types.js";
import { wallMs } from "./clock.js";
import { createConnectExporter } from "./connect-exporter.js";
import type { ContextManager, SpanContext } from "./context-manager.js";
import { copyStrings, type EventDefaults, requireString } from "./event-builders.js";
import type { FlushOptions, FlushResult, ShutdownOptions } from "./event-processor.js";
import { validateBuiltEvent, validateEvent } from "./event-validation.js";
import type { EventExporter } from "./exporter.js";
import { newSpanId, uuidv7 } from "./ids.js";
import { createIntegrityChain } from "./integrity-chain.js";
import { type EventFilter, type QueryOrder, toQueryFilter, toSortOrder } from "./query-filter.js";
import {
  type ChaukasScope,
  createScope,
  type ScopeRuntime,
  type SessionHandle,
  startSessionSpan,
} from "./scope.js";
import { createStackContextManager } from "./stack-context-manager.js";
import type { ChaukasStats } from "./stats.js";
import { parseTraceparent } from "./trace-context.js";
import { ChaukasValidationError } from "./validation-error.js";

/**
 * What `beforeSend` returns: the event to send (the same object, changed, or another one),
 * or `null` to drop it. May be a promise (e.g. `redact` with "hash").
 */
export type BeforeSendResult = Event | null | Promise<Event | null>;

/** The processor's options the client passes through (documented on `BatchProcessorOptions`). */
type PipelineOptions = Pick<
  BatchProcessorOptions,
  | "onError"
  | "onDrop"
  | "maxQueueSize"
  | "maxBatchSize"
  | "maxBatchBytes"
  | "flushIntervalMs"
  | "maxConcurrentExports"
  | "exportTimeoutMs"
  | "retry"
>;

/**
 * Options of `createChaukasClient`: its own, and the batching/retry options it passes to the
 * processor. Defaults are in `CLIENT_DEFAULTS` and `PROCESSOR_DEFAULTS`.
 */
export interface ChaukasClientOptions extends PipelineOptions {
  /**
   * Any Connect transport (`@chaukas/transport-node`, `@chaukas/transport-web`, or
   * `createRouterTransport`). Events are sent with `IngestEventBatch`; `query`,
   * `capabilities` and `healthz` need it. Either this or `exporter` is required.
   */
  readonly transport?: Transport;
  /**
   * Where batches go instead of `IngestEventBatch` over `transport` (file or console sinks).
   * Default: `createConnectExporter(transport)`.
   */
  readonly exporter?: EventExporter;
  /** `tenant_id` of every event and the default of query filters. Required, non-empty. */
  readonly tenantId: string;
  /** `project_id` of every event and the default of query filters. Required, non-empty. */
  readonly projectId: string;
  /** `branch` of every event unless a builder sets one. Default "". */
  readonly branch?: string;
  /** Tags every event starts with; builders append theirs. Default: none. */
  readonly tags?: readonly string[];
  /**
   * Carries the active span for `chaukas.current()` and the client's own builders. Default:
   * `createStackContextManager()` (synchronous scopes; `@chaukas/transport-node` passes one
   * on AsyncLocalStorage that survives awaits).
   */
  readonly contextManager?: ContextManager;
  /**
   * Called once per event before it is encoded, off the caller's stack, serially in emission
   * order: return the event (possibly changed, e.g. with `redact`), or `null` to drop it
   * (counted in `dropped.beforeSend`). If it throws, rejects or returns something that is
   * not a valid event, the event is dropped, never sent unredacted, and `onError` is told
   * (reason "prepare-failed"). Default: none.
   */
  readonly beforeSend?: (event: Event) => BeforeSendResult;
  /**
   * Per-session hash chain: `content_hash` and `hash_prev` on every event (after
   * `beforeSend`), checked with `verifyChain`. Default false.
   */
  readonly integrity?: boolean;
  /**
   * Deadline sent with every RPC (ingest and query) so the server stops work the client
   * gave up on. Default: none.
   */
  readonly callTimeoutMs?: number;
  /** Events per page of `query()` and `queryPage()`. Default 100. */
  readonly pageSize?: number;
}

/** Defaults of the client's own options (batching and retries: `PROCESSOR_DEFAULTS`). */
export const CLIENT_DEFAULTS = {
  branch: "",
  tags: [] as readonly string[],
  integrity: false,
  pageSize: 100,
} as const;

/** Options of `query()`. */
export interface QueryOptions {
  /** Events per page. Default: the client's `pageSize` (100). */
  readonly pageSize?: number;
  /** Default: the backend's (newest first). Use "asc" for `verifyChain`. */
  readonly order?: QueryOrder;
  /** Stops the iteration (the pending call rejects with Canceled). Default: none. */
  readonly signal?: AbortSignal;
}

/** Options of `queryPage()`. */
export interface QueryPageOptions extends QueryOptions {
  /** `nextPageToken` of the previous page. Default: the first page. */
  readonly pageToken?: string;
}

/** One page of `queryPage()`. */
export interface QueryPage {
  readonly events: Event[];
  /** Pass to the next `queryPage`; "" on the last page. */
  readonly nextPageToken: string;
}

/** The Chaukas SDK: builders, delivery and query. Create it with `createChaukasClient`. */
export interface ChaukasClient extends ChaukasScope {
  /**
   * Emits SESSION_START and returns the session's handle. A session starts a new trace
   * unless `traceparent` continues a caller's.
   */
  startSession(options?: SessionOptions): SessionHandle;
  /**
   * Emits a raw event (`create(EventSchema, {...})` or its init object): fills what is
   * missing (event_id, timestamp, tenant/project, session/trace/span/parent and agent from
   * the active context, default branch and tags), validates, and queues it. The client
   * takes ownership: do not change the event afterwards. Returns its `event_id`.
   */
  emit(event: Event | MessageInitShape<typeof EventSchema>): string;
  /** The active span (from `scope.run(fn)`), if any. */
  current(): SpanContext | undefined;
  /** Resolves when everything emitted before is delivered or finally failed. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** Flushes, then refuses new events (counted in `dropped.shutdown`). Idempotent. */
  shutdown(options?: ShutdownOptions): Promise<FlushResult>;
  /** A snapshot of the pipeline's counters. */
  stats(): ChaukasStats;
  /** Every event matching `filter`, fetched page by page following `next_page_token`. */
  query(filter?: EventFilter, options?: QueryOptions): AsyncIterable<Event>;
  /** One page of events matching `filter`. */
  queryPage(filter?: EventFilter, options?: QueryPageOptions): Promise<QueryPage>;
  /** The backend's capabilities, cached after the first successful call. */
  capabilities(): Promise<Capabilities>;
  /** Resolves when the backend answers its health check; rejects with its `ConnectError`. */
  healthz(): Promise<void>;
}

/**
 * Creates a Chaukas client:
 * ```ts
 * const chaukas = createChaukasClient({ transport, tenantId: "acme", projectId: "support-bot" });
 * const session = chaukas.startSession({ agentId: "planner" });
 * session.end();
 * ```
 * Throws `ChaukasValidationError` for missing tenant/project or invalid options (the error
 * names the option, never echoes the options object).
 */
export function createChaukasClient(options: ChaukasClientOptions): ChaukasClient {
  if (typeof options !== "object" || options === null) {
    throw new ChaukasValidationError("options", "expected an options object");
  }
  const tenantId = requireString(options.tenantId, "tenant_id");
  const projectId = requireString(options.projectId, "project_id");
  const transport = options.transport;
  if (transport === undefined && options.exporter === undefined) {
    throw new ChaukasValidationError("transport", "either transport or exporter is required");
  }
  const pageSize = options.pageSize ?? CLIENT_DEFAULTS.pageSize;
  checkPageSize(pageSize, "pageSize");
  const defaults: EventDefaults = {
    tenantId,
    projectId,
    branch: options.branch ?? CLIENT_DEFAULTS.branch,
    tags: options.tags === undefined ? CLIENT_DEFAULTS.tags : copyStrings(options.tags, "tags"),
  };
  if (typeof defaults.branch !== "string") {
    throw new ChaukasValidationError("branch", "expected a string");
  }
  const contextManager = options.contextManager ?? createStackContextManager();
  const callOptions: CallOptions =
    options.callTimeoutMs === undefined ? {} : { timeoutMs: options.callTimeoutMs };
  const exporter = options.exporter ?? createConnectExporter(transport!, callOptions);

  const processor = createProcessorOrThrow(() =>
    createBatchProcessor({
      exporter,
      ...pick(options, [
        "maxQueueSize",
        "maxBatchSize",
        "maxBatchBytes",
        "flushIntervalMs",
        "maxConcurrentExports",
        "exportTimeoutMs",
        "retry",
        "onError",
        "onDrop",
      ]),
      ...(options.beforeSend !== undefined || options.integrity === true
        ? { prepare: createPrepare(options) }
        : {}),
    }),
  );

  const runtime: ScopeRuntime = {
    defaults,
    contextManager,
    submit(event) {
      validateBuiltEvent(event);
      processor.enqueue(event);
    },
  };

  const rpc: Client<typeof ChaukasClientService> | undefined =
    transport === undefined ? undefined : createClient(ChaukasClientService, transport);
  const requireRpc = (method: string): Client<typeof ChaukasClientService> => {
    if (rpc === undefined) {
      throw new ConnectError(
        `${method}() needs a transport: this client was created with an exporter only`,
        Code.FailedPrecondition,
      );
    }
    return rpc;
  };
  const callWith = (signal: AbortSignal | undefined): CallOptions =>
    signal === undefined ? callOptions : { ...callOptions, signal };

  async function fetchPage(
    filter: ReturnType<typeof toQueryFilter>,
    page: QueryPageOptions,
  ): Promise<QueryPage> {
    const response = await requireRpc("query").queryEvents(
      {
        query: {
          filter,
          pageSize: page.pageSize ?? pageSize,
          pageToken: page.pageToken ?? "",
          orderByTime: toSortOrder(page.order),
        },
      },
      callWith(page.signal),
    );
    return {
      events: response.response?.events ?? [],
      nextPageToken: response.response?.nextPageToken ?? "",
    };
  }

  let capabilitiesPromise: Promise<Capabilities> | undefined;

  return {
    ...createScope(runtime, () => contextManager.active()),

    startSession(sessionOptions) {
      const remote =
        sessionOptions?.traceparent === undefined
          ? undefined
          : parseTraceparent(String(sessionOptions.traceparent));
      return startSessionSpan(runtime, sessionOptions, remote);
    },

    emit(input) {
      const event = isMessage(input, EventSchema)
        ? input
        : create(EventSchema, input as MessageInitShape<typeof EventSchema>);
      stampRawEvent(event, defaults, contextManager.active());
      validateEvent(event, false);
      processor.enqueue(event);
      return event.eventId;
    },

    current: () => contextManager.active(),
    flush: (flushOptions) => processor.flush(flushOptions),
    shutdown: (shutdownOptions) => processor.shutdown(shutdownOptions),
    stats: () => processor.stats(),

    query(filter = {}, queryOptions = {}) {
      // Checked now, so a bad filter throws at the call site, not at the first iteration.
      const queryFilter = toQueryFilter(filter, defaults);
      if (queryOptions.pageSize !== undefined) checkPageSize(queryOptions.pageSize, "pageSize");
      toSortOrder(queryOptions.order);
      return {
        async *[Symbol.asyncIterator]() {
          let pageToken = "";
          do {
            const page = await fetchPage(queryFilter, { ...queryOptions, pageToken });
            yield* page.events;
            pageToken = page.nextPageToken;
          } while (pageToken !== "");
        },
      };
    },

    async queryPage(filter = {}, pageOptions = {}) {
      const queryFilter = toQueryFilter(filter, defaults);
      if (pageOptions.pageSize !== undefined) checkPageSize(pageOptions.pageSize, "pageSize");
      return fetchPage(queryFilter, pageOptions);
    },

    capabilities() {
      if (capabilitiesPromise === undefined) {
        const pending = (async () => {
          const response = await requireRpc("capabilities").getCapabilities({}, callOptions);
          return response.capabilities ?? create(CapabilitiesSchema);
        })();
        capabilitiesPromise = pending;
        // Only a success is cached: a failed call is tried again next time.
        pending.catch(() => {
          if (capabilitiesPromise === pending) capabilitiesPromise = undefined;
        });
      }
      return capabilitiesPromise;
    },

    async healthz() {
      await requireRpc("healthz").healthz({}, callOptions);
    },
  };
}

/**
 * Fills what a raw event leaves empty from the client and the active context. A given
 * `span_id` is kept; an event without one gets its own span under the active one.
 */
function stampRawEvent(event: Event, defaults: EventDefaults, active: SpanContext | undefined) {
  const nowMs = wallMs();
  if (event.eventId === "") event.eventId = uuidv7(nowMs);
  if (event.timestamp === undefined) event.timestamp = timestampFromMs(nowMs);
  if (event.tenantId === "") event.tenantId = defaults.tenantId;
  if (event.projectId === "") event.projectId = defaults.projectId;
  if (event.branch === "") event.branch = defaults.branch;
  if (event.tags.length === 0 && defaults.tags.length > 0) event.tags = [...defaults.tags];
  if (active !== undefined) {
    if (event.sessionId === "") event.sessionId = active.sessionId;
    if (event.traceId === "") event.traceId = active.traceId;
    if (event.agentId === "" && active.agentId !== undefined) event.agentId = active.agentId;
    if (event.agentName === "" && active.agentName !== undefined) {
      event.agentName = active.agentName;
    }
    if (event.spanId === "") {
      event.spanId = newSpanId();
      if (event.parentSpanId === "") event.parentSpanId = active.spanId;
    }
  }
}

/** `prepare` of the processor: beforeSend, then the integrity chain, per event in order. */
function createPrepare(options: ChaukasClientOptions): (events: Event[]) => Promise<Event[]> {
  const beforeSend = options.beforeSend;
  const chain = options.integrity === true ? createIntegrityChain() : undefined;
  return async (events) => {
    const out: Event[] = [];
    for (const original of events) {
      let event: Event | null = original;
      if (beforeSend !== undefined) {
        try {
          event = await beforeSend(original);
          if (event !== null) {
            if (!isMessage(event, EventSchema)) {
              throw new TypeError("beforeSend must return an Event or null");
            }
            validateEvent(event, false);
          }
        } catch (cause) {
          // Dropping is the safe failure: an event beforeSend could not redact must not leave.
          report(options, cause, original);
          event = null;
        }
      }
      if (event === null) continue;
      if (chain !== undefined) await chain.link(event);
      out.push(event);
    }
    return out;
  };
}

function report(options: ChaukasClientOptions, cause: unknown, event: Event): void {
  const error = new ConnectError(
    `beforeSend failed; event ${event.eventId} was dropped`,
    Code.Internal,
    undefined,
    undefined,
    cause,
  );
  try {
    options.onError?.(error, {
      batchId: "",
      events: 1,
      willRetry: false,
      reason: "prepare-failed",
    });
  } catch {
    // The hook is informational; its failure must not stop the pipeline.
  }
}

function checkPageSize(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new ChaukasValidationError(field, "expected a positive integer");
  }
}

/** The processor rejects bad limits with RangeError; callers get our one validation error. */
function createProcessorOrThrow<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ChaukasValidationError(error.message.split(" ")[0] ?? "options", error.message);
    }
    throw error;
  }
}

function pick<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out;
}
