import { createAsyncIterable, type UniversalClientFn } from "@connectrpc/connect/protocol";

/** Statuses whose response has no body, which `new Response(body, …)` refuses to be given. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/**
 * `fetch` on connect-node's HTTP client, for the REST transport on Node. Node's own fetch takes
 * no TLS options and speaks only HTTP/1.1; connect-node's client is the one the RPC protocols use,
 * so REST gets the same TLS options (a private CA, mutual TLS), HTTP/2 session manager and
 * keep-alive. Only what the REST transport calls is supported: a string URL and a body of bytes.
 */
export function createNodeHttpFetch(client: UniversalClientFn): typeof globalThis.fetch {
  return async (input, init = {}) => {
    const body = init.body;
    if (body != null && !(body instanceof Uint8Array)) {
      throw new TypeError("expected the request body as a Uint8Array");
    }
    const response = await client({
      url: String(input),
      method: init.method ?? "GET",
      header: new Headers(init.headers),
      ...(body == null ? {} : { body: createAsyncIterable([body]) }),
      ...(init.signal == null ? {} : { signal: init.signal }),
    });
    return new Response(
      NULL_BODY_STATUSES.has(response.status) ? null : readableStreamOf(response.body),
      { status: response.status, headers: response.header },
    );
  };
}

function readableStreamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
