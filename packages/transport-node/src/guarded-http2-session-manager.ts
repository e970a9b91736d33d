import type * as http2 from "node:http2";
import { Http2SessionManager, type Http2SessionOptions } from "@connectrpc/connect-node";

/** What connect-node's HTTP/2 transports need of a session manager (`sessionManager` option). */
export type Http2ClientSessionManager = Pick<
  Http2SessionManager,
  "authority" | "request" | "notifyResponseByteRead"
>;

/** Sessions that already carry `ignoreSettledSessionError`. */
const guardedSessions = new WeakSet<http2.Http2Session>();

/**
 * connect-node's `Http2SessionManager`, made unable to crash the process when the backend
 * goes away.
 *
 * On a GOAWAY without open streams the manager destroys the session with an error
 * ("received GOAWAY without any open streams"); Node emits that 'error' only once the socket
 * has closed. A request issued in between (an export started from an I/O callback or a
 * setImmediate, before the close phase) finds the session destroyed, opens a new one, and
 * the manager removes its 'error' listener from the old session on the way: the late 'error'
 * then has no listener and Node throws it as an uncaught exception. So every session that
 * carries a request gets one listener of ours for its whole life.
 */
export function createGuardedHttp2SessionManager(
  url: string,
  pingOptions: Http2SessionOptions,
  nodeOptions?: http2.ClientSessionOptions | http2.SecureClientSessionOptions,
): Http2ClientSessionManager {
  const manager = new Http2SessionManager(url, pingOptions, nodeOptions);
  return {
    authority: manager.authority,
    async request(method, path, headers, options) {
      const stream = await manager.request(method, path, headers, options);
      const session = stream.session;
      if (session !== undefined && !guardedSessions.has(session)) {
        guardedSessions.add(session);
        session.on("error", ignoreSettledSessionError);
      }
      return stream;
    },
    notifyResponseByteRead(stream) {
      manager.notifyResponseByteRead(stream);
    },
  };
}

/**
 * Nothing is lost by ignoring it here: Node destroys every stream of the session with the
 * same error, so each call on it fails (and is retried) through its own stream, and the
 * manager opens a new session for the next request either way.
 */
function ignoreSettledSessionError(): void {}
