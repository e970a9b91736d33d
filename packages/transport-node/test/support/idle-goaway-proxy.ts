import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** An HTTP/2 proxy in front of a backend that can end its idle connections with a GOAWAY. */
export interface IdleGoawayProxy {
  /** Base URL clients use instead of the backend's. */
  readonly url: string;
  /**
   * Closes every connection without an open stream gracefully: Node's HTTP/2 server sends
   * GOAWAY (NO_ERROR) at once. Returns how many connections were closed.
   */
  goawayIdleConnections(): number;
  close(): Promise<void>;
}

/** Request headers the backend needs besides `grpc-*`; the pseudo-headers are its own. */
const RELAYED_HEADERS = new Set([":method", ":path", "content-type", "te"]);

/**
 * What servers and proxies with a connection idle timeout do (gRPC's MAX_CONNECTION_IDLE,
 * Envoy, nginx), on demand so a test chooses the moment. Calls are relayed to `backendUrl`
 * (headers, body, trailers) over one upstream HTTP/2 connection.
 */
export async function startIdleGoawayProxy(backendUrl: string): Promise<IdleGoawayProxy> {
  const upstream = http2.connect(backendUrl);
  upstream.on("error", () => {});
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  const openStreams = new WeakMap<http2.ServerHttp2Session, number>();

  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => {});
    openStreams.set(session, 0);
    session.on("stream", (stream) => {
      openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
      stream.once("close", () => openStreams.set(session, (openStreams.get(session) ?? 1) - 1));
    });
  });

  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const relayedHeaders: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (RELAYED_HEADERS.has(name) || name.startsWith("grpc-")) relayedHeaders[name] = value;
    }
    const relayed = upstream.request(relayedHeaders);
    relayed.on("error", () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.pipe(relayed);
    let trailers: http2.OutgoingHttpHeaders = {};
    relayed.on("trailers", (received) => {
      trailers = received;
    });
    relayed.on("response", (responseHeaders) => {
      const { ":status": status, ...rest } = responseHeaders;
      stream.respond({ ":status": status, ...rest }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
      relayed.pipe(stream);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    goawayIdleConnections() {
      let closed = 0;
      for (const session of sessions) {
        if (!session.closed && openStreams.get(session) === 0) {
          session.close();
          closed++;
        }
      }
      return closed;
    },
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      upstream.destroy();
      return closed;
    },
  };
}
