import { Code } from "@connectrpc/connect";
import type {
  UniversalHandlerFn,
  UniversalServerRequest,
  UniversalServerResponse,
} from "@connectrpc/connect/protocol";

/**
 * Errors connect-es raises for a request body it cannot use, under the code it gives them.
 * They are the client's fault, so the answer is INVALID_ARGUMENT (as connect-es already
 * answers for JSON it cannot decode):
 * - "parse binary: …" is INTERNAL: protobuf-es failed on the request's bytes (connect-es's
 *   `createBinarySerialization` gives every binary parse failure that code);
 * - "protocol error: missing / received extra input message …" is UNIMPLEMENTED: a gRPC or
 *   gRPC-web body with no complete envelope (a length prefix promising more than was sent)
 *   or with two of them.
 * connect-es offers no hook into its decoding, so the answer is corrected on its way out.
 */
const CLIENT_FAULTS: readonly { readonly code: Code; readonly prefix: string }[] = [
  { code: Code.Internal, prefix: "parse binary:" },
  { code: Code.Unimplemented, prefix: "protocol error: missing input message" },
  { code: Code.Unimplemented, prefix: "protocol error: received extra input message" },
];

/** Connect's code names on the wire (its JSON error bodies), by code. */
const CONNECT_CODE_NAMES: Readonly<Partial<Record<Code, string>>> = {
  [Code.Internal]: "internal",
  [Code.Unimplemented]: "unimplemented",
};

function isClientFault(code: Code, message: string): boolean {
  return CLIENT_FAULTS.some((fault) => fault.code === code && message.startsWith(fault.prefix));
}

/** HTTP status of an INVALID_ARGUMENT answer in the Connect protocol. */
const CONNECT_INVALID_ARGUMENT_STATUS = 400;

/** Bit of a gRPC-web envelope's flags that marks the trailers; 0x01 marks compression. */
const GRPC_WEB_TRAILER_FLAG = 0x80;
const GRPC_WEB_COMPRESSED_FLAG = 0x01;

/** Wraps a handler so that the errors in `CLIENT_FAULTS` answer INVALID_ARGUMENT. */
export function withClientErrorCodes(handler: UniversalHandlerFn): UniversalHandlerFn {
  return async (request) => {
    const response = await handler(request);
    switch (protocolOf(request)) {
      case "grpc":
        return correctGrpc(response);
      case "grpc-web":
        return correctGrpcWeb(response);
      case "connect":
        return correctConnect(response);
    }
  };
}

function protocolOf(request: UniversalServerRequest): "grpc" | "grpc-web" | "connect" {
  const contentType = request.header.get("content-type") ?? "";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/** Connect unary errors: an HTTP status and a small JSON body `{ code, message }`. */
async function correctConnect(response: UniversalServerResponse): Promise<UniversalServerResponse> {
  const { status, header, body } = response;
  // Compressed error bodies (over compressMinBytes) carry no message of ours: left alone.
  if (status < 500 || body === undefined || header?.has("content-encoding") === true) {
    return response;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = concat(chunks);
  const error = parseConnectError(bytes);
  if (error === undefined || !matchesConnectFault(error)) {
    return { ...response, body: once(bytes) };
  }
  const corrected = new TextEncoder().encode(
    JSON.stringify({ ...error, code: "invalid_argument" }),
  );
  const correctedHeader = new Headers(header);
  correctedHeader.set("content-length", String(corrected.byteLength));
  return {
    ...response,
    status: CONNECT_INVALID_ARGUMENT_STATUS,
    header: correctedHeader,
    body: once(corrected),
  };
}

function matchesConnectFault(error: { code: string; message: string }): boolean {
  return CLIENT_FAULTS.some(
    (fault) =>
      CONNECT_CODE_NAMES[fault.code] === error.code && error.message.startsWith(fault.prefix),
  );
}

function parseConnectError(bytes: Uint8Array): { code: string; message: string } | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof value !== "object" || value === null) return undefined;
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (typeof code !== "string" || typeof message !== "string") return undefined;
    return value as { code: string; message: string };
  } catch {
    return undefined;
  }
}

/**
 * gRPC: the status is in the trailers, which connect-es fills while the body is read and
 * connect-node sends after it; they are corrected once the body is done.
 */
function correctGrpc(response: UniversalServerResponse): UniversalServerResponse {
  const { trailer, body } = response;
  if (trailer === undefined) return response;
  const correctTrailer = () => {
    if (trailerIsClientFault(trailer)) trailer.set("grpc-status", String(Code.InvalidArgument));
  };
  if (body === undefined) {
    correctTrailer();
    return response;
  }
  return {
    ...response,
    body: (async function* () {
      yield* body;
      correctTrailer();
    })(),
  };
}

function trailerIsClientFault(trailer: Headers): boolean {
  const status = Number(trailer.get("grpc-status"));
  return isClientFault(status as Code, decodeGrpcMessage(trailer.get("grpc-message") ?? ""));
}

function decodeGrpcMessage(message: string): string {
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

/** gRPC-web: the trailers are the body's last envelope (flag 0x80), as HTTP/1 header lines. */
function correctGrpcWeb(response: UniversalServerResponse): UniversalServerResponse {
  const { body } = response;
  if (body === undefined) return response;
  return {
    ...response,
    body: (async function* () {
      for await (const chunk of body) yield correctTrailerEnvelope(chunk);
    })(),
  };
}

function correctTrailerEnvelope(chunk: Uint8Array): Uint8Array {
  const flags = chunk[0] ?? 0;
  if ((flags & GRPC_WEB_TRAILER_FLAG) === 0 || (flags & GRPC_WEB_COMPRESSED_FLAG) !== 0) {
    return chunk;
  }
  const trailer = new Headers();
  for (const line of new TextDecoder().decode(chunk.subarray(5)).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) trailer.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  if (!trailerIsClientFault(trailer)) return chunk;
  trailer.set("grpc-status", String(Code.InvalidArgument));
  let text = "";
  trailer.forEach((value, key) => {
    text += `${key}: ${value}\r\n`;
  });
  const data = new TextEncoder().encode(text);
  const envelope = new Uint8Array(5 + data.byteLength);
  envelope[0] = flags;
  new DataView(envelope.buffer).setUint32(1, data.byteLength);
  envelope.set(data, 5);
  return envelope;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
