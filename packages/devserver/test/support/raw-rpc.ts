// Raw requests to the devserver, bytes as given, and what came back in each protocol's terms:
// for testing what well-behaved clients never send.
import * as http from "node:http";
import * as http2 from "node:http2";

export type WireProtocol = "grpc" | "grpc-web" | "connect";

export const SERVICE_PATH = "/chaukas.spec.client.v1.ChaukasClientService";

export interface RawRequest {
  /** e.g. "/chaukas.spec.client.v1.ChaukasClientService/IngestEvent" */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, whole or as chunks (sent without content-length unless a header gives it). */
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly trailers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * What the server answered, as one word: a Connect code name ("ok", "invalid_argument", …)
 * read from the protocol's own place for it, "http <status>" when the HTTP layer refused
 * the request before any RPC handling, "reset" when the server closed the stream or the
 * connection instead of answering.
 */
export type Outcome = string;

const CODE_NAMES = [
  "ok",
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
];

export function outcomeOf(response: RawResponse): Outcome {
  // The protocol is the one the server answered in, which a content type of the request
  // (application/grpc+json on the Connect path, say) may have chosen.
  const contentType = response.headers["content-type"] ?? "";
  if (contentType.startsWith("application/grpc-web")) {
    return grpcStatusName(
      grpcWebTrailers(response.body)["grpc-status"] ?? response.headers["grpc-status"],
    );
  }
  if (contentType.startsWith("application/grpc")) {
    return grpcStatusName(response.trailers["grpc-status"] ?? response.headers["grpc-status"]);
  }
  if (response.status === 200) return "ok";
  if (contentType.startsWith("application/json")) {
    const code = (JSON.parse(response.body.toString("utf8")) as { code?: string }).code;
    if (code !== undefined) return code;
  }
  return `http ${response.status}`;
}

function grpcStatusName(status: string | undefined): Outcome {
  return status === undefined ? "no status" : (CODE_NAMES[Number(status)] ?? `code ${status}`);
}

/** The error message, wherever the protocol puts it ("" when there is none). */
export function messageOf(response: RawResponse): string {
  const contentType = response.headers["content-type"] ?? "";
  if (contentType.startsWith("application/grpc")) {
    const trailers = contentType.startsWith("application/grpc-web")
      ? grpcWebTrailers(response.body)
      : response.trailers;
    return decodeURIComponent(trailers["grpc-message"] ?? response.headers["grpc-message"] ?? "");
  }
  try {
    return (JSON.parse(response.body.toString("utf8")) as { message?: string }).message ?? "";
  } catch {
    return "";
  }
}

/** The trailers of a gRPC-web body: its last envelope with flag 0x80, as header lines. */
export function grpcWebTrailers(body: Buffer): Record<string, string> {
  let offset = 0;
  let trailers: Record<string, string> = {};
  while (offset + 5 <= body.length) {
    const flags = body[offset] ?? 0;
    const length = body.readUInt32BE(offset + 1);
    const data = body.subarray(offset + 5, offset + 5 + length);
    if ((flags & 0x80) !== 0) {
      trailers = {};
      for (const line of data.toString("latin1").split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0)
          trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
    offset += 5 + length;
  }
  return trailers;
}

/** A gRPC / gRPC-web envelope: flags, a 4-byte big-endian length, the payload. */
export function envelope(
  payload: Uint8Array,
  options: { flags?: number; length?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(5 + payload.byteLength);
  bytes[0] = options.flags ?? 0;
  new DataView(bytes.buffer).setUint32(1, options.length ?? payload.byteLength);
  bytes.set(payload, 5);
  return bytes;
}

/** The request headers of each protocol for a binary (or, for Connect, JSON) unary call. */
export function protocolHeaders(protocol: WireProtocol, json = false): Record<string, string> {
  switch (protocol) {
    case "grpc":
      return { "content-type": "application/grpc+proto", te: "trailers" };
    case "grpc-web":
      return { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };
    case "connect":
      return {
        "content-type": json ? "application/json" : "application/proto",
        "connect-protocol-version": "1",
      };
  }
}

/** Sends requests over one HTTP/1.1 keep-alive agent; a new connection after a refusal. */
export function createHttp1Sender(baseUrl: string, timeoutMs = 10_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const send = (request: RawRequest): Promise<RawResponse | "reset"> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${baseUrl}${request.path}`, {
        method: "POST",
        agent,
        headers: request.headers,
        timeout: timeoutMs,
      });
      req.on("timeout", () => {
        req.destroy();
        reject(new Error(`no answer within ${timeoutMs} ms to ${request.path}`));
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ECONNRESET" || error.code === "EPIPE") resolve("reset");
        else reject(error);
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", () => resolve("reset"));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            trailers: flatten(res.trailers),
            body: Buffer.concat(chunks),
          }),
        );
      });
      void writeBody(req, request.body).catch(() => {
        // The server answered (and stopped reading) before the whole body was sent.
      });
    });
  return { send, close: () => agent.destroy() };
}

/** Sends requests as streams of one HTTP/2 session; a new session if the server ends one. */
export function createHttp2Sender(baseUrl: string, timeoutMs = 10_000) {
  let session: http2.ClientHttp2Session | undefined;
  const connect = () => {
    if (session === undefined || session.closed || session.destroyed) {
      const opened = http2.connect(baseUrl);
      opened.on("error", () => {});
      session = opened;
    }
    return session;
  };
  const send = (request: RawRequest): Promise<RawResponse | "reset"> =>
    new Promise((resolve, reject) => {
      const stream = connect().request({
        ":method": "POST",
        ":path": request.path,
        ...request.headers,
      });
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`no answer within ${timeoutMs} ms to ${request.path}`));
      }, timeoutMs);
      let headers: Record<string, string> = {};
      let trailers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      stream.on("response", (h) => {
        headers = flatten(h);
      });
      stream.on("trailers", (t) => {
        trailers = flatten(t);
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", () => {});
      stream.on("close", () => {
        clearTimeout(timer);
        const status = Number(headers[":status"] ?? 0);
        if (status === 0) {
          resolve("reset");
          return;
        }
        resolve({ status, headers, trailers, body: Buffer.concat(chunks) });
      });
      void writeBody(stream, request.body).catch(() => {});
    });
  return { send, close: () => session?.close() };
}

async function writeBody(
  target: http.ClientRequest | http2.ClientHttp2Stream,
  body: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<void> {
  if (body instanceof Uint8Array) {
    target.end(body);
    return;
  }
  for await (const chunk of body) {
    if (target.destroyed) return;
    if (!target.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          target.off("drain", done);
          target.off("close", done);
          resolve();
        };
        target.on("drain", done);
        target.on("close", done);
      });
    }
  }
  target.end();
}

function flatten(
  headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return flat;
}
