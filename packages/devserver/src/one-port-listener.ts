import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** What every HTTP/2 connection starts with (RFC 9113 §3.4); HTTP/1 never does. */
export const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Most bytes of a request's header block, in both HTTP versions: Node's HTTP/1 default,
 * applied to HTTP/2 as well (whose default lets 64 KiB through), so a huge header value is
 * refused with 431 whichever version carries it.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What RFC 9113 §6.5.2 counts per header field on top of its name and value. */
const HTTP2_HEADER_OVERHEAD = 32;

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** One TCP port serving HTTP/1.1 and HTTP/2 cleartext (h2c with prior knowledge). */
export interface OnePortListener {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Whether the port is closed by `setDown(true)`. */
  readonly down: boolean;
  /**
   * Closes the port and destroys every open connection (down), or listens again on the
   * same port (up). Resolves once done.
   */
  setDown(down: boolean): Promise<void>;
  /** Stops listening and destroys every connection, keep-alive and HTTP/2 sessions included. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` and routes each connection by its first bytes: the HTTP/2 preface
 * goes to an HTTP/2 server, anything else to an HTTP/1 server. gRPC clients and browsers
 * then share one URL.
 */
export async function listenOnOnePort(
  handler: Handler,
  options: { port: number; host: string },
): Promise<OnePortListener> {
  const http1Server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  const http2Server = http2.createServer(
    { settings: { maxHeaderListSize: MAX_HEADER_BYTES } },
    withHeaderLimit(withUnreadBodyRefused(handler)),
  );
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  http2Server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });

  let down = false;
  let closed = false;
  const tcpServer = net.createServer((socket) => {
    // Between "go down" and the listener closing, a new connection is dropped at once.
    if (down || closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A reset peer must not crash the process before an HTTP server owns the socket.
    socket.on("error", () => {});
    routeByPreface(socket, http1Server, http2Server);
  });

  await listen(tcpServer, options.port, options.host);
  const address = tcpServer.address() as net.AddressInfo;
  const port = address.port;

  function dropConnections(): void {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  }

  async function stopListening(): Promise<void> {
    if (!tcpServer.listening) return;
    const stopped = new Promise<void>((resolve) => tcpServer.close(() => resolve()));
    dropConnections();
    await stopped;
  }

  return {
    port,
    get down() {
      return down;
    },
    async setDown(goDown) {
      if (closed) return;
      down = goDown;
      if (goDown) {
        await stopListening();
      } else if (!tcpServer.listening) {
        await listen(tcpServer, port, options.host);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await stopListening();
      http1Server.close();
      http2Server.close();
    },
  };
}

/**
 * An HTTP/2 stream whose response is complete while the client is still sending (a body
 * refused as too large) is reset with NO_ERROR, which tells the client to stop sending (RFC
 * 9113 §8.1). Otherwise no one reads the rest: the client blocks on flow control and the
 * stream stays open until the session ends. (HTTP/1 needs nothing: Node's server reads and
 * discards an unread body itself.) The reset must follow the trailers, which carry the gRPC
 * status: Node's compatibility layer answers `wantTrailers` from its own earlier listener,
 * and the trailers go out in a `setImmediate` that this one's runs after.
 */
function withUnreadBodyRefused(handler: Handler): Handler {
  return (req, res) => {
    if (req instanceof http2.Http2ServerRequest) {
      const stream = req.stream;
      stream.once("wantTrailers", () => {
        setImmediate(() => {
          if (!stream.readableEnded && !stream.destroyed) {
            stream.close(http2.constants.NGHTTP2_NO_ERROR);
          }
        });
      });
    }
    handler(req, res);
  };
}

/**
 * The HTTP/2 server advertises MAX_HEADER_BYTES, but a client may send its first requests
 * before it has seen that setting, and Node then applies its own 64 KiB: the size is checked
 * here as well.
 */
function withHeaderLimit(handler: Handler): Handler {
  return (req, res) => {
    let size = 0;
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      size += (req.rawHeaders[i]?.length ?? 0) + (req.rawHeaders[i + 1]?.length ?? 0);
      size += HTTP2_HEADER_OVERHEAD;
    }
    if (size > MAX_HEADER_BYTES) {
      res.statusCode = 431;
      res.end();
      return;
    }
    handler(req, res);
  };
}

function routeByPreface(
  socket: net.Socket,
  http1Server: http.Server,
  http2Server: http2.Http2Server,
) {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const n = Math.min(head.length, HTTP2_PREFACE.length);
    const looksLikeHttp2 = head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    // A preface split over several packets: wait until it is complete or contradicted.
    if (looksLikeHttp2 && head.length < HTTP2_PREFACE.length) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(head);
    if (looksLikeHttp2) {
      // The HTTP/2 session reads what is already buffered with socket.read() on the next
      // tick; resuming here would emit it to no one.
      http2Server.emit("connection", socket);
    } else {
      // The HTTP/1 server listens for 'data'; resuming replays the buffered head to it
      // before any further read reaches its parser.
      http1Server.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("data", onData);
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
