/**
 * One OTLP/HTTP request (`POST /v1/traces`, `application/x-protobuf`) with `fetch`, its outcome as
 * the batch processor reads outcomes: resolve when the Collector accepted it, else reject with a
 * `ConnectError` whose code says whether a retry can help, as the OTLP specification says.
 */

import { Code, ConnectError } from "@connectrpc/connect";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

/** What one request needs. */
export interface OtlpRequest {
  readonly url: string;
  readonly headers: Headers;
  readonly timeoutMs: number;
  readonly compression: "gzip" | "none";
  readonly fetch: typeof globalThis.fetch;
}

/** What the Collector said about an accepted request: spans it still refused (partial success). */
export interface OtlpAccepted {
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

/**
 * HTTP statuses the OTLP specification says to retry (with `Retry-After` when sent); every other
 * 4xx and 5xx must not be retried. 413 is a size refusal: the processor splits the batch.
 */
function codeOfStatus(status: number): Code {
  switch (status) {
    case 429:
      return Code.ResourceExhausted;
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.NotFound;
    case 413:
      return Code.ResourceExhausted;
    default:
      // Outside RETRYABLE_CODES: the same request would fail the same way.
      return Code.FailedPrecondition;
  }
}

/** Gzip with the platform's CompressionStream (Node 18+, browsers, edge runtimes). */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Sends `body` (an encoded `ExportTraceServiceRequest`); see the file's comment for the outcome. */
export async function postOtlp(
  body: Uint8Array,
  request: OtlpRequest,
  signal: AbortSignal,
): Promise<OtlpAccepted> {
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/x-protobuf");
  let payload = body;
  if (request.compression === "gzip") {
    payload = await gzip(body);
    headers.set("content-encoding", "gzip");
  }
  const deadline = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await request.fetch(request.url, {
      method: "POST",
      headers,
      body: payload as BodyInit,
      signal: AbortSignal.any([signal, deadline]),
    });
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    if (deadline.aborted) {
      throw new ConnectError(`timeoutMs (${request.timeoutMs} ms) passed`, Code.DeadlineExceeded);
    }
    // Refused or reset connections, DNS failures: the Collector may be back soon.
    throw new ConnectError(
      `cannot reach ${request.url}`,
      Code.Unavailable,
      undefined,
      undefined,
      cause,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) {
    const text = new TextDecoder().decode(bytes.subarray(0, 512));
    const retryAfter = response.headers.get("retry-after");
    const metadata = new Headers(retryAfter === null ? {} : { "retry-after": retryAfter });
    const why = response.status === 413 ? "Request Entity Too Large" : response.statusText;
    throw new ConnectError(
      `OTLP export refused: HTTP ${response.status} ${why}${text ? `: ${text}` : ""}`,
      codeOfStatus(response.status),
      metadata,
    );
  }
  const partial =
    bytes.length === 0
      ? undefined
      : ProtobufTraceSerializer.deserializeResponse(bytes).partialSuccess;
  return {
    rejectedSpans: Number(partial?.rejectedSpans ?? 0),
    errorMessage: partial?.errorMessage ?? "",
  };
}
