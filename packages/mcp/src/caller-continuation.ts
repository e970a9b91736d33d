import type {
  ChaukasClient,
  ContinuedSessionHandle,
  RemoteContext,
  SpanScope,
} from "@chaukas/client";
import type { MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import type { McpTrustPredicate } from "./options.js";

/**
 * How a server-side call continues the caller that sent its context in `_meta`. A trusted
 * caller's call joins the caller's session: no events but the call's own. An untrusted caller
 * gets a session of this server's own on its trace (SESSION_START records the caller's session
 * id), one per transport and caller session rather than one per call, ended when the transport
 * closes: a call costs its two events, not four.
 */
export interface CallerContinuation {
  /** The scope a call from `remote` starts under: its events' parent is the caller's span. */
  callScope(remote: RemoteContext, extra: MessageExtraInfo | undefined): SpanScope;
  /** Ends the server's own sessions: the transport closed. `end` runs each session's end. */
  endAll(end: (session: ContinuedSessionHandle) => void): void;
}

/**
 * The most sessions of its own one transport keeps open for untrusted callers. A peer that
 * sends ever new trace ids must not grow the server's memory until the connection closes: past
 * this, the least recently used session ends (a later call from it starts a new one).
 */
export const MAX_OPEN_CALLER_SESSIONS = 64;

export function createCallerContinuation(
  chaukas: ChaukasClient,
  trust: boolean | McpTrustPredicate,
): CallerContinuation {
  /** The server's own sessions by caller trace and session, least recently used first. */
  const sessions = new Map<string, ContinuedSessionHandle>();

  function trusts(remote: RemoteContext, extra: MessageExtraInfo | undefined): boolean {
    if (typeof trust !== "function") return trust === true;
    try {
      return trust(extra, remote) === true;
    } catch {
      // As the client's continueSession does: a failing check does not grant trust.
      return false;
    }
  }

  function ownSession(remote: RemoteContext): ContinuedSessionHandle {
    const key = `${remote.traceId}/${remote.sessionId ?? ""}`;
    const open = sessions.get(key);
    if (open !== undefined) {
      sessions.delete(key);
      sessions.set(key, open);
      return open;
    }
    const session = chaukas.continueSession(remote, { trust: false });
    sessions.set(key, session);
    if (sessions.size > MAX_OPEN_CALLER_SESSIONS) {
      const [oldestKey, oldest] = sessions.entries().next().value as [
        string,
        ContinuedSessionHandle,
      ];
      sessions.delete(oldestKey);
      oldest.end();
    }
    return session;
  }

  return {
    callScope(remote, extra) {
      if (remote.sessionId !== undefined && trusts(remote, extra)) {
        return chaukas.continueSession(remote, { trust: true });
      }
      const session = ownSession(remote);
      // This server's own session, continued under this call's caller span: the session is
      // shared by the caller's calls, and each call still hangs under the span that made it.
      return chaukas.continueSession({ ...remote, sessionId: session.id }, { trust: true });
    },

    endAll(end) {
      const open = [...sessions.values()];
      sessions.clear();
      for (const session of open) end(session);
    },
  };
}
