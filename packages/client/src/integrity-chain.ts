import { type Event, EventType } from "@chaukas/spec/common/v1";
import { contentHash } from "./integrity.js";

/**
 * Links events into per-session hash chains, in the order `link` is called: each gets
 * `content_hash`, and `hash_prev` = the previous event's `content_hash` in the same session
 * (empty for the first). The client calls it from the processor's serial `prepare` step,
 * so the chain follows queue order even when exports run concurrently.
 *
 * A session's link is forgotten at SESSION_END to bound memory; an event emitted in that
 * session afterwards starts a new chain.
 */
export function createIntegrityChain(): {
  link(event: Event): Promise<void>;
  /** Sessions with an open chain. */
  readonly openSessions: number;
} {
  const last = new Map<string, string>();
  return {
    async link(event) {
      event.hashPrev = last.get(event.sessionId) ?? "";
      event.contentHash = await contentHash(event);
      if (event.type === EventType.SESSION_END) {
        last.delete(event.sessionId);
      } else {
        last.set(event.sessionId, event.contentHash);
      }
    },
    get openSessions() {
      return last.size;
    },
  };
}
