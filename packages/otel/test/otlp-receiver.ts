import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
// The protobufjs root generated from the opentelemetry-proto files, as shipped by
// `@opentelemetry/otlp-transformer` 0.213 (installed under an alias): an encoder independent of
// the 0.223 writer the exporter uses, so the round trip checks the bytes against the spec.
import otlpRoot from "otlp-transformer-protobufjs/build/src/generated/root.js";

/** The decoded messages, as far as the receiver reads them (the root ships no typings). */
interface DecodedSpan {
  name?: string;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  kind?: number;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
  status?: { code?: number; message?: string };
  attributes?: KeyValue[];
  events?: { name?: string; attributes?: KeyValue[] }[];
}
interface DecodedRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: DecodedSpan[] }[];
  }[];
}
type Decoder = { decode(bytes: Uint8Array): DecodedRequest };
const { ExportTraceServiceRequest } = (
  otlpRoot as unknown as {
    opentelemetry: {
      proto: { collector: { trace: { v1: { ExportTraceServiceRequest: Decoder } } } };
    };
  }
).opentelemetry.proto.collector.trace.v1;

/** A decoded span, with ids as hex and attributes as a plain object. */
export interface ReceivedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly kind: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly status: { readonly code: number; readonly message: string };
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes: Record<string, unknown> }[];
  readonly resource: Record<string, unknown>;
  readonly scope: string;
}

/** What the receiver answers a request with: a status, and headers. */
export type Answer = { status: number; headers?: Record<string, string> };

const hex = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString("hex");
const nanosToMs = (value: unknown) => Number(BigInt(String(value))) / 1e6;

interface KeyValue {
  key: string;
  value: { [kind: string]: unknown };
}

/** An `AnyValue` as JS; the decoder sets only the field on the wire as an own property. */
function anyValue(value: { [kind: string]: unknown }): unknown {
  const has = (field: string) => Object.hasOwn(value, field);
  if (has("stringValue")) return value.stringValue;
  if (has("boolValue")) return value.boolValue;
  if (has("intValue")) return Number(String(value.intValue));
  if (has("doubleValue")) return value.doubleValue;
  if (has("arrayValue")) {
    return ((value.arrayValue as { values?: KeyValue["value"][] }).values ?? []).map(anyValue);
  }
  return undefined;
}

const attributesOf = (list: KeyValue[] | null | undefined) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, anyValue(value)]));

/**
 * An OTLP/HTTP traces receiver on loopback: decodes each request with the real OTLP protobuf
 * definitions and keeps its spans; answers with `answer(requestNumber)` (default 200).
 */
export async function startOtlpReceiver(
  answer: (request: number) => Answer = () => ({ status: 200 }),
) {
  const spans: ReceivedSpan[] = [];
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push(request.headers);
      const { status, headers } = answer(requests.length);
      if (status === 200) {
        const raw = Buffer.concat(chunks);
        const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
        const decoded = ExportTraceServiceRequest.decode(body);
        for (const resourceSpans of decoded.resourceSpans ?? []) {
          const resource = attributesOf(resourceSpans.resource?.attributes);
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              spans.push({
                name: span.name ?? "",
                traceId: hex(span.traceId),
                spanId: hex(span.spanId),
                parentSpanId: hex(span.parentSpanId),
                kind: span.kind ?? 0,
                startMs: nanosToMs(span.startTimeUnixNano),
                endMs: nanosToMs(span.endTimeUnixNano),
                status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
                attributes: attributesOf(span.attributes),
                events: (span.events ?? []).map((event) => ({
                  name: event.name ?? "",
                  attributes: attributesOf(event.attributes),
                })),
                resource,
                scope: scopeSpans.scope?.name ?? "",
              });
            }
          }
        }
      }
      response.writeHead(status, { "content-type": "application/x-protobuf", ...headers });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
