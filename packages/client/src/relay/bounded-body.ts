// The relay reads request bodies within a byte limit, declared or not.

import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import { type RelayCall, refuse, tooLargeError } from "./relay-call.js";

/**
 * Refuses a request whose `content-length` is over `maxBytes` before any of it is read (the
 * answer is "too large", recorded on the call).
 */
export function checkDeclaredLength(call: RelayCall<unknown>, header: Headers, maxBytes: number) {
  const declared = Number(header.get("content-length") ?? 0);
  if (declared > maxBytes) throw refuse(call, "tooLarge", overLimit(maxBytes));
}

/**
 * The request's body, read with a bound: the iterable throws "too large" (recorded on the call)
 * as soon as the bytes read pass `maxBytes`, whatever the request declared (chunked bodies
 * declare nothing). A body a framework already parsed as JSON is passed on as it is.
 */
export function boundedBody(
  call: RelayCall<unknown>,
  body: UniversalServerRequest["body"],
  maxBytes: number,
): UniversalServerRequest["body"] {
  if (!isByteStream(body)) return body;
  return {
    async *[Symbol.asyncIterator]() {
      let read = 0;
      for await (const chunk of body) {
        read += chunk.byteLength;
        if (read > maxBytes) throw refuse(call, "tooLarge", overLimit(maxBytes));
        yield chunk;
      }
    },
  };
}

/** All bytes of a (bounded) body. */
export async function readBody(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

function overLimit(maxBytes: number) {
  return tooLargeError(`the request is larger than the relay's ${maxBytes} bytes`);
}
