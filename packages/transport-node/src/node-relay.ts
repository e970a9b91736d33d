import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { JsonValue } from "@bufbuild/protobuf";
import {
  type ChaukasRelayOptions,
  createRelayHandler,
  type RelayClient,
  type RelayStats,
} from "@chaukas/client/relay";
import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import {
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";

/** A Node request, as `http`, `https` and `http2` (and Express, Fastify's `request.raw`) give it. */
export type NodeRelayRequest = IncomingMessage | Http2ServerRequest;

/** A Node response, as `http`, `https` and `http2` (and Express, Fastify's `reply.raw`) give it. */
export type NodeRelayResponse = ServerResponse | Http2ServerResponse;

/**
 * The relay as a Node request handler, and a connect-style middleware: mount it on a path of
 * your app (`app.use("/chaukas", relay)`). A request whose path is none of the relay's goes to
 * `next()` when there is one, else is answered 404. Resolves once the answer is written.
 */
export interface NodeRelay<Request extends NodeRelayRequest = IncomingMessage> {
  (request: Request, response: NodeRelayResponse, next?: (error?: unknown) => void): Promise<void>;
  /** A snapshot of what the relay has forwarded and refused. */
  stats(): RelayStats;
}

/**
 * A relay on your own origin that browsers send their events to, so a page holds no key: the
 * page's client uses `createChaukasWebClient({ baseUrl: "/chaukas", … })`, and the relay
 * forwards through `chaukas`, your server's client, with its key, retries and outbox.
 *
 * ```ts
 * const relay = createChaukasRelay(chaukas, {
 *   authorize: (req) => {
 *     const user = sessions.get(cookieOf(req, "sid"));
 *     return user && { tenantId: user.orgId, projectId: "support-chat", callerId: user.id };
 *   },
 * });
 * app.use("/chaukas", relay); // Express; or http.createServer(relay)
 * ```
 *
 * `authorize(request)` gets the `IncomingMessage` (an `Http2ServerRequest` on an HTTP/2 server:
 * `createChaukasRelay<Http2ServerRequest>(…)`; see `ChaukasRelayOptions` for the rules it
 * enforces). Mount it before body parsers: it reads the body itself, with its bound. A body an
 * Express JSON parser already read is used as parsed; a body something else consumed is answered
 * 500, since nothing is left to read. Throws `ChaukasValidationError` for invalid options.
 */
export function createChaukasRelay<Request extends NodeRelayRequest = IncomingMessage>(
  chaukas: RelayClient,
  options: ChaukasRelayOptions<Request>,
): NodeRelay<Request> {
  const handler = createRelayHandler(chaukas, options);
  const relay = async (
    request: Request,
    response: NodeRelayResponse,
    next?: (error?: unknown) => void,
  ) => {
    try {
      const universal = universalRequestFromNodeRequest(request, response, undefined, undefined);
      const answer = await handler.handle(
        { ...universal, body: bodyReadBefore(request) ?? universal.body },
        request,
      );
      if (answer === undefined) {
        if (next) next();
        else response.writeHead(404).end();
        return;
      }
      await universalResponseToNodeResponse(answer, response);
    } catch (error) {
      if (next) next(error);
      else if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    }
  };
  return Object.assign(relay, { stats: handler.stats });
}

/**
 * A body a framework read before the relay: a parsed JSON value (Express's `json()`) or bytes
 * (its `raw()`, `text()`). `undefined` when the stream is still there to be read.
 */
function bodyReadBefore(request: NodeRelayRequest): UniversalServerRequest["body"] | undefined {
  if (!request.readableEnded) return undefined;
  const body = (request as { body?: unknown }).body;
  if (body === undefined) {
    throw new Error(
      "the request's body was read before the relay: mount createChaukasRelay before body parsers",
    );
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    return (async function* () {
      yield bytes;
    })();
  }
  return body as JsonValue;
}
