// The client: `createChaukasClient` and its options, the `ChaukasClient` it returns (builders,
// emit, propagation, flush/shutdown, stats and query), and the defaults of its own options.
import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { type Capabilities, type Event, EventSchema } from "@chaukas/spec/common/v1";
import type { CallOptions, Transport } from "@connectrpc/connect";
import type { EventDefaults } from "./builders/build-event.js";
import type { SessionOptions } from "./builders/builder-types.js";
import type { ContextManager, SpanContext } from "./builders/context-manager.js";
import { copyStrings, requireString } from "./builders/input-checks.js";
import {
  type ContinueSessionOptions,
  continueSessionSpan,
  createScope,
  startSessionSpan,
} from "./builders/scope.js";
import type { ScopeRuntime } from "./builders/scope-runtime.js";
import type {
  ChaukasScope,
  ContinuedSessionHandle,
  SessionHandle,
} from "./builders/scope-types.js";
import { createStackContextManager } from "./builders/stack-context-manager.js";
import { stampRawEvent } from "./builders/stamp-raw-event.js";
import { clientPrepare } from "./client-prepare.js";
import { checkPageSize, createQueryMethods } from "./client-query.js";
import { createBatchProcessor } from "./pipeline/batch-processor.js";
import type { BatchProcessorOptions } from "./pipeline/batch-processor-options.js";
import type { FlushOptions, FlushResult, ShutdownOptions } from "./pipeline/event-processor.js";
import type { LossRecord } from "./pipeline/loss-ledger.js";
import { lossReportEvent } from "./pipeline/loss-report.js";
import type { ChaukasStats } from "./pipeline/stats.js";
import type { RemoteContext } from "./propagation/remote-context.js";
import { parseTraceparent } from "./propagation/trace-context.js";
import type { EventFilter, QueryOrder } from "./query-filter.js";
import { validateBuiltEvent, validateEvent } from "./validation/event-validation.js";
import { ChaukasValidationError } from "./validation/validation-error.js";
import { type ConnectExporterOptions, createConnectExporter } from "./wire/connect-exporter.js";
import type { EventExporter } from "./wire/exporter.js";

/**
 * What `beforeSend` returns: the event to send (the same object, changed, or another one),
 * or `null` to drop it. May be a promise (e.g. `redact` with "hash").
 */
export type BeforeSendResult = Event | null | Promise<Event | null>;

/**
 * Links each event into a hash chain before it is sent (sets `content_hash` and `hash_prev`).
 * `createIntegrityChain()` from `@chaukas/client/integrity` is the implementation; it is a value
 * rather than a flag so that pages that do not use it do not ship SHA-256 and the canonical
 * encoding.
 */
export interface IntegrityChain {
  link(event: Event): Promise<void>;
}

/** The processor's options the client passes through (documented on `BatchProcessorOptions`). */
type PipelineOptions = Pick<
  BatchProcessorOptions,
  | "onError"
  | "onDrop"
  | "maxQueueSize"
  | "truncateWhenFull"
  | "maxBatchSize"
  | "maxBatchBytes"
  | "flushIntervalMs"
  | "maxConcurrentExports"
  | "exportTimeoutMs"
  | "retry"
  | "outbox"
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
   * not a valid event, privacy fails closed: the event is dropped, never sent, counted in
   * `dropped.prepareFailed`, and `onError` is told (reason "prepare-failed"). Default: none.
   */
  readonly beforeSend?: (event: Event) => BeforeSendResult;
  /**
   * Per-session hash chain: `content_hash` and `hash_prev` on every event (after
   * `beforeSend`), checked with `verifyChain`. Pass `createIntegrityChain()` from
   * `@chaukas/client/integrity`. An event it cannot link (WebCrypto missing or failing) is
   * dropped unsent, like a failing `beforeSend`. Default: none.
   */
  readonly integrity?: IntegrityChain;
  /**
   * Deadline sent with every RPC (ingest and query) so the server stops work the client
   * gave up on.
   * @deprecated Set the transport's `timeoutMs`, the one deadline of each call (exports and
   * queries). When given, this one still wins for queries, and for exports unless
   * `exportTimeoutMs` is given. Default: none (the transport's).
   */
  readonly callTimeoutMs?: number;
  /** Events per page of `query()` and `queryPage()`. Default 100. */
  readonly pageSize?: number;
  /**
   * Report lost events to the backend: when events of a session are dropped (queue full, outbox
   * full, too large, a failed prepare), a SYSTEM event in that session records how many, why,
   * and which (see the README's "Loss reports"). Default true.
   */
  readonly reportLoss?: boolean;
}

/** Defaults of the client's own options (batching and retries: `PROCESSOR_DEFAULTS`). */
export const CLIENT_DEFAULTS = {
  branch: "",
  tags: [] as readonly string[],
  pageSize: 100,
  reportLoss: true,
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

/** Options of `emit()`. */
export interface EmitOptions {
  /**
   * Fill the session, trace, span, parent and agent an event leaves empty from the active span.
   * A relay forwarding a page's events passes `false`: they belong to the page's session, not
   * to whatever request this side is handling. Default: true.
   */
  readonly fromActiveContext?: boolean;
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
   * the active context unless `options.fromActiveContext` is false, default branch and tags),
   * validates, and queues it; given ids and times are kept. The client takes ownership: do not
   * change the event afterwards. Returns its `event_id`.
   */
  emit(event: Event | MessageInitShape<typeof EventSchema>, options?: EmitOptions): string;
  /**
   * Continues a caller's session on this side (a server handling a request): see
   * `ContinuedSessionHandle`. `remote` comes from `extract(request.headers)` (from
   * `@chaukas/client/propagation`); `undefined` (no context sent) starts a session of this side's
   * own. The caller's session id is adopted only with `trust` (default false).
   */
  continueSession(
    remote: RemoteContext | undefined,
    options?: ContinueSessionOptions,
  ): ContinuedSessionHandle;
  /** The active span (from `scope.run(fn)`), if any. */
  current(): SpanContext | undefined;
  /** Resolves when everything emitted before is delivered or finally failed. Never rejects. */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /**
   * Flushes, then refuses new events (counted in `dropped.shutdown`). Idempotent. Runs the
   * `onShutdown` callbacks first, once, so what they emit is flushed too.
   */
  shutdown(options?: ShutdownOptions): Promise<FlushResult>;
  /**
   * Registers `callback` to run when `shutdown()` begins, before its final flush: integrations end
   * the spans a framework left open there, so they are delivered rather than lost. What the
   * callback throws is ignored (an integration's guard reports its own failures). Returns a
   * function that unregisters it.
   */
  onShutdown(callback: () => void): () => void;
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
  const { transport, integrity } = options;
  const defaults: EventDefaults = {
    tenantId: requireString(options.tenantId, "tenant_id"),
    projectId: requireString(options.projectId, "project_id"),
    branch: options.branch ?? CLIENT_DEFAULTS.branch,
    tags: options.tags === undefined ? CLIENT_DEFAULTS.tags : copyStrings(options.tags, "tags"),
  };
  if (transport === undefined && options.exporter === undefined) {
    throw new ChaukasValidationError("transport", "either transport or exporter is required");
  }
  if (typeof defaults.branch !== "string") {
    throw new ChaukasValidationError("branch", "expected a string");
  }
  if (integrity !== undefined && typeof integrity.link !== "function") {
    throw new ChaukasValidationError(
      "integrity",
      'expected createIntegrityChain() from "@chaukas/client/integrity"',
    );
  }
  const pageSize = checkPageSize(options.pageSize ?? CLIENT_DEFAULTS.pageSize);
  const contextManager = options.contextManager ?? createStackContextManager();
  const active = () => contextManager.active();
  // `timeoutMs: undefined` means no deadline to connect; the cast is for exactOptionalPropertyTypes.
  const callOptions = { timeoutMs: options.callTimeoutMs } as CallOptions;

  /** The SYSTEM event recording a session's lost events, stamped like `emit`'s. */
  const lossReport = (record: LossRecord): Event => {
    const event = lossReportEvent(record);
    stampRawEvent(event, defaults, undefined);
    validateEvent(event, false);
    return event;
  };

  const processor = createBatchProcessor({
    ...options,
    exporter: options.exporter ?? createConnectExporter(transport!, exportCallOptions(options)),
    prepare: clientPrepare(options),
    lossReport: (options.reportLoss ?? CLIENT_DEFAULTS.reportLoss) ? lossReport : undefined,
  } as BatchProcessorOptions);

  const runtime: ScopeRuntime = {
    defaults,
    contextManager,
    submit(event) {
      validateBuiltEvent(event);
      processor.enqueue(event);
    },
  };

  const shutdownCallbacks = new Set<() => void>();

  return {
    ...createScope(runtime, active),

    startSession(sessionOptions) {
      const traceparent = sessionOptions?.traceparent;
      return startSessionSpan(
        runtime,
        sessionOptions,
        traceparent === undefined ? undefined : parseTraceparent(String(traceparent)),
      );
    },

    emit(input, emitOptions) {
      const event = isMessage(input, EventSchema) ? input : create(EventSchema, input);
      const context = emitOptions?.fromActiveContext === false ? undefined : active();
      stampRawEvent(event, defaults, context);
      validateEvent(event, false);
      processor.enqueue(event);
      return event.eventId;
    },

    continueSession: (remote, continueOptions) =>
      continueSessionSpan(runtime, remote, continueOptions),

    current: active,
    flush: (flushOptions) => processor.flush(flushOptions),
    shutdown(shutdownOptions) {
      const callbacks = [...shutdownCallbacks];
      shutdownCallbacks.clear();
      for (const callback of callbacks) {
        try {
          callback();
        } catch {
          // The caller's shutdown goes on; the integration's guard has reported its failure.
        }
      }
      return processor.shutdown(shutdownOptions);
    },
    onShutdown(callback) {
      shutdownCallbacks.add(callback);
      return () => shutdownCallbacks.delete(callback);
    },
    stats: () => processor.stats(),

    ...createQueryMethods(transport, defaults, pageSize, callOptions),
  };
}

/**
 * The Connect exporter's deadline: the transport's `timeoutMs` unless a deprecated client option
 * overrides it (`exportTimeoutMs`, then `callTimeoutMs`, as before they became aliases).
 */
function exportCallOptions(options: ChaukasClientOptions): ConnectExporterOptions {
  const timeoutMs = options.exportTimeoutMs ?? options.callTimeoutMs;
  return timeoutMs === undefined ? {} : { timeoutMs };
}
