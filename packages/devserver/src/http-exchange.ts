import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { JsonValue } from "@bufbuild/protobuf";
import { ChaukasValidationError } from "@chaukas/client";
import type { PublicApiError } from "@chaukas/client/rest";
import { Code, ConnectError } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { outcomeName } from "./call-counter.js";
import { FAULT_METADATA_KEY, RETRY_PUSHBACK_METADATA_KEY } from "./faults.js";
import {
  BATCH_TOO_LARGE_REASON,
  ERROR_REASON_METADATA_KEY,
  INGEST_COUNT_METADATA_KEYS,
} from "./ingest-limits.js";

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** What an HTTP route answers: a status, a JSON body, headers. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: JsonValue;
  readonly headers?: Headers;
  /**
   * Whether a line about this request is already in the log (an ingest call's line), so the
   * request log adds none.
   */
  readonly logged?: boolean;
}

/** A request an HTTP route refuses before any RPC is called: a status and the reason. */
export class HttpRefusal extends Error {
  override name = "HttpRefusal";
  readonly status: number;
  readonly body: PublicApiError;
  readonly headers: Headers;

  constructor(status: number, body: PublicApiError, headers: Headers = new Headers()) {
    super(body.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** The media type of a `content-type` value, lower case, without parameters ("" if none). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

/**
 * Reads a request body of at most `maxBytes`, refused while it is read (a `content-length` over
 * it before a byte is read), then decompressed (gzip, br) within the same limit.
 */
export async function readBody(req: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeToRead(declared, maxBytes);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) throw tooLargeToRead(length, maxBytes);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const encoding = mediaTypeOf(req.headers["content-encoding"] as string | undefined);
  switch (encoding) {
    case "":
    case "identity":
      return body;
    case "gzip":
      return inflate(compressionGzip, body, maxBytes);
    case "br":
      return inflate(compressionBrotli, body, maxBytes);
    default:
      throw new HttpRefusal(415, {
        code: "unimplemented",
        message: `content-encoding ${encoding} is not supported; send identity, gzip or br`,
      });
  }
}

/** Decompresses within the read limit: more is 413, garbage 400. */
async function inflate(
  compression: typeof compressionGzip,
  body: Uint8Array,
  maxBytes: number,
): Promise<Uint8Array> {
  try {
    return await compression.decompress(body, maxBytes);
  } catch (error) {
    const tooLarge = ConnectError.from(error).code === Code.ResourceExhausted;
    throw new HttpRefusal(tooLarge ? 413 : 400, {
      code: tooLarge ? "resource_exhausted" : "invalid_argument",
      message: tooLarge
        ? `the ${compression.name} body inflates to more than the server's ${maxBytes}-byte read limit`
        : `the ${compression.name} body does not decompress: ${ConnectError.from(error).rawMessage}`,
    });
  }
}

function tooLargeToRead(bytes: number, maxBytes: number): HttpRefusal {
  return new HttpRefusal(413, {
    code: "resource_exhausted",
    message: `request body of ${bytes}+ bytes is larger than the server's ${maxBytes}-byte read limit`,
  });
}

/** Parses a JSON body; a body that does not parse is the client's error (400). */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString("utf8"));
  } catch (error) {
    throw new HttpRefusal(400, {
      code: "invalid_argument",
      message: `the body is not JSON: ${(error as Error).message}`,
    });
  }
}

/** HTTP statuses of Connect codes for the HTTP routes; as the Connect protocol maps them. */
const STATUS_BY_CODE: Readonly<Partial<Record<Code, number>>> = {
  [Code.Canceled]: 499,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Unavailable]: 503,
  [Code.Unauthenticated]: 401,
};

/** Our metadata keys that an HTTP answer passes on as headers (CORS exposes them). */
const PASSED_ON = [
  ERROR_REASON_METADATA_KEY,
  FAULT_METADATA_KEY,
  RETRY_PUSHBACK_METADATA_KEY,
  ...Object.values(INGEST_COUNT_METADATA_KEYS),
];

/** Our headers of a call's metadata, plus `Retry-After` (seconds) when it carries a pushback. */
export function passedOnHeaders(metadata: Headers): Headers {
  const headers = new Headers();
  for (const key of PASSED_ON) {
    const value = metadata.get(key);
    if (value !== null) headers.set(key, value);
  }
  const pushbackMs = Number(metadata.get(RETRY_PUSHBACK_METADATA_KEY));
  if (metadata.has(RETRY_PUSHBACK_METADATA_KEY) && Number.isFinite(pushbackMs) && pushbackMs >= 0) {
    headers.set("retry-after", String(Math.ceil(pushbackMs / 1000)));
  }
  return headers;
}

/** Whether `error` is the split signal: a request over the size limits. */
export function isBatchTooLarge(error: ConnectError): boolean {
  return (
    error.code === Code.ResourceExhausted &&
    error.metadata.get(ERROR_REASON_METADATA_KEY) === BATCH_TOO_LARGE_REASON
  );
}

/**
 * The answer to an error: a refusal as it is, a `ChaukasValidationError` (JSON that is no
 * message) as 400 naming the field, a ConnectError as the Connect protocol's status with a body
 * `{ code, message }`; a batch too large is 413 with `reason: "batch-too-large"`.
 */
export function errorAnswer(error: unknown): HttpAnswer {
  if (error instanceof HttpRefusal) {
    return { status: error.status, body: { ...error.body }, headers: error.headers };
  }
  if (error instanceof ChaukasValidationError) {
    return {
      status: 400,
      body: { code: "invalid_argument", message: error.message, field: error.field },
    };
  }
  const connectError = ConnectError.from(error);
  const body: Record<string, JsonValue> = {
    code: outcomeName(connectError.code),
    message: connectError.rawMessage,
  };
  let status = STATUS_BY_CODE[connectError.code] ?? 500;
  if (isBatchTooLarge(connectError)) {
    status = 413;
    body.reason = BATCH_TOO_LARGE_REASON;
  }
  return { status, body, headers: passedOnHeaders(connectError.metadata) };
}

/** Writes an answer: JSON body, `content-type`, our headers. */
export function sendAnswer(res: HttpResponse, answer: HttpAnswer): void {
  const body = Buffer.from(JSON.stringify(answer.body));
  res.statusCode = answer.status;
  answer.headers?.forEach((value, key) => {
    res.setHeader(key, value);
  });
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", body.byteLength);
  res.end(body);
}

/** Writes a plain-text answer (for people: unknown routes, content types no route reads). */
export function sendText(
  res: HttpResponse,
  status: number,
  text: string,
  headers: Headers = new Headers(),
): void {
  const body = Buffer.from(text.endsWith("\n") ? text : `${text}\n`);
  res.statusCode = status;
  headers.forEach((value, key) => {
    res.setHeader(key, value);
  });
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("Content-Length", body.byteLength);
  res.end(body);
}
