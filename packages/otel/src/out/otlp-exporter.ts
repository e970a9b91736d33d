/** An `EventExporter` to an OpenTelemetry Collector: Chaukas events as OTLP traces over HTTP/protobuf. */
import {
  ChaukasValidationError,
  checkRequestHeaders,
  type EventExporter,
  type ExportOptions,
} from "@chaukas/client";
import type { Event, EventBatch } from "@chaukas/spec/common/v1";
import type { Attributes } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { type OtlpSpan, SpanAssembler } from "./event-spans.js";
import { type OtlpRequest, postOtlp } from "./otlp-http.js";

/** Options of `createOtlpExporter`. Defaults are in `OTLP_EXPORTER_DEFAULTS`. */
export interface OtlpExporterOptions {
  /** The Collector's OTLP/HTTP traces endpoint. Default: "http://localhost:4318/v1/traces". */
  readonly url?: string;
  /** Extra request headers, e.g. a backend's API key; no CR, LF or NUL. Default: none. Never logged. */
  readonly headers?: HeadersInit;
  /**
   * Deadline of one request, in ms: the exporter's `timeoutMs`, so the client's batch processor
   * cuts an attempt at the same moment. Default: 10 000.
   */
  readonly timeoutMs?: number;
  /** Request body compression: "gzip" or "none". Default: "none". */
  readonly compression?: "gzip" | "none";
  /** The spans' `service.name` resource attribute. Default: "chaukas". */
  readonly serviceName?: string;
  /** More resource attributes, e.g. `deployment.environment.name`. Default: none. */
  readonly resourceAttributes?: Attributes;
  /**
   * STARTs held while their END has not come (a span is sent when it ends, as OpenTelemetry
   * sends spans). Beyond it, the oldest is sent unfinished (`chaukas.unfinished: true`).
   * Default: 10 000.
   */
  readonly maxOpenSpans?: number;
  /**
   * Told when the Collector accepted a request but refused some of its spans (an OTLP partial
   * success): they are not retried, as the specification says. Default: none.
   */
  readonly onPartialSuccess?: (rejectedSpans: number, errorMessage: string) => void;
  /** The `fetch` to send with. Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The defaults of `OtlpExporterOptions`. */
export const OTLP_EXPORTER_DEFAULTS = {
  url: "http://localhost:4318/v1/traces",
  timeoutMs: 10_000,
  compression: "none",
  serviceName: "chaukas",
  maxOpenSpans: 10_000,
} as const satisfies Partial<Record<keyof OtlpExporterOptions, unknown>>;

/** An `EventExporter` to an OTLP Collector, with the count of STARTs waiting for their END. */
export interface OtlpExporter extends EventExporter {
  /** The deadline of one request, in ms (`OtlpExporterOptions.timeoutMs`). */
  readonly timeoutMs: number;
  /** STARTs held until their END comes (see `maxOpenSpans`). */
  readonly openSpans: number;
  shutdown(): Promise<void>;
}

function checkOptions(options: OtlpExporterOptions) {
  const url = options.url ?? OTLP_EXPORTER_DEFAULTS.url;
  if (typeof url !== "string" || !URL.canParse(url)) {
    throw new ChaukasValidationError(
      "url",
      "expected an absolute URL, e.g. http://collector:4318/v1/traces",
    );
  }
  const timeoutMs = options.timeoutMs ?? OTLP_EXPORTER_DEFAULTS.timeoutMs;
  if (!(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new ChaukasValidationError("timeoutMs", "expected a number > 0");
  }
  const compression = options.compression ?? OTLP_EXPORTER_DEFAULTS.compression;
  if (compression !== "gzip" && compression !== "none") {
    throw new ChaukasValidationError("compression", 'expected "gzip" or "none"');
  }
  const maxOpenSpans = options.maxOpenSpans ?? OTLP_EXPORTER_DEFAULTS.maxOpenSpans;
  if (!Number.isInteger(maxOpenSpans) || maxOpenSpans < 1) {
    throw new ChaukasValidationError("maxOpenSpans", "expected a positive integer");
  }
  const fetch = options.fetch ?? globalThis.fetch;
  if (typeof fetch !== "function") {
    throw new ChaukasValidationError("fetch", "expected a function (this runtime has no fetch)");
  }
  const headers = new Headers(checkRequestHeaders("headers", options.headers));
  const request: OtlpRequest = { url, headers, timeoutMs, compression, fetch };
  return { request, maxOpenSpans };
}

/**
 * An `EventExporter` (the client's `exporter` option) that sends Chaukas events to an
 * OpenTelemetry Collector as OTLP traces over HTTP/protobuf, encoded by
 * `@opentelemetry/otlp-transformer`:
 * ```ts
 * const chaukas = createChaukasClient({ exporter: createOtlpExporter({ url }), tenantId, projectId });
 * ```
 * A START and its END become one span with the GenAI conventions' name and attributes
 * (`chat gpt-4o`, `execute_tool lookup`, `invoke_agent support`), the events' trace and span ids
 * kept; a point event becomes an event on its parent span (ERROR as `exception`), or a
 * zero-length span when its parent is not waiting for its END here. Every field without a
 * convention goes under `chaukas.*`. A START is held until its END comes, so a span leaves when
 * it ends: the batch with the START is acknowledged to the client once it is held.
 *
 * A refused request rejects with a `ConnectError` the client's retry policy reads: 429, 502, 503
 * and 504 are retried (after `Retry-After` when sent), 413 splits the batch, anything else fails
 * it. To send to a Chaukas backend and a Collector both, see `createFanOutExporter`.
 */
export function createOtlpExporter(options: OtlpExporterOptions = {}): OtlpExporter {
  const { request, maxOpenSpans } = checkOptions(options);
  const resource = resourceFromAttributes({
    "service.name": options.serviceName ?? OTLP_EXPORTER_DEFAULTS.serviceName,
    ...options.resourceAttributes,
  });
  const assembler = new SpanAssembler(resource, maxOpenSpans);
  /**
   * The spans each event completed when first seen. A retried batch, or the halves of a split
   * one, hold the same event objects: they send the same spans again, and the held STARTs are
   * not touched twice.
   */
  const completedBy = new WeakMap<Event, readonly OtlpSpan[]>();

  function spansOf(batch: EventBatch): OtlpSpan[] {
    return batch.events.flatMap((event) => {
      let spans = completedBy.get(event);
      if (spans === undefined) {
        spans = assembler.add(event);
        completedBy.set(event, spans);
      }
      return spans;
    });
  }

  async function send(spans: OtlpSpan[], signal: AbortSignal) {
    if (spans.length === 0) return;
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (body === undefined) throw new Error("the OTLP serializer returned nothing");
    const accepted = await postOtlp(body, request, signal);
    if (accepted.rejectedSpans > 0) {
      options.onPartialSuccess?.(accepted.rejectedSpans, accepted.errorMessage);
    }
  }

  return {
    timeoutMs: request.timeoutMs,
    get openSpans() {
      return assembler.openSpans;
    },

    async export(batch: EventBatch, { signal }: ExportOptions): Promise<void> {
      await send(spansOf(batch), signal);
    },

    // Held STARTs will get no END now: they leave as unfinished spans.
    async shutdown(): Promise<void> {
      await send(assembler.drain(), AbortSignal.timeout(request.timeoutMs));
    },
  };
}
