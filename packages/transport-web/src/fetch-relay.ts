import {
  type ChaukasRelayOptions,
  createRelayHandler,
  type RelayClient,
  type RelayStats,
} from "@chaukas/client/relay";
import {
  universalServerRequestFromFetch,
  universalServerResponseToFetch,
} from "@connectrpc/connect/protocol";
import type { FlushableClient } from "./flushable-client.js";
import { flushOnWaitUntil, type WaitUntilContext } from "./wait-until.js";

/**
 * The relay as a Fetch handler: `Request` in, `Response` out. A request whose path is none of
 * the relay's is answered 404.
 */
export interface FetchRelay {
  /**
   * Answers `request`. With the runtime's `context` (Cloudflare's `ctx`, Vercel's and Netlify's
   * `context`), the server's client is flushed through its `waitUntil`, so the events leave
   * before the runtime freezes; without it, they leave on the client's own schedule.
   */
  (request: Request, context?: WaitUntilContext): Promise<Response>;
  /** A snapshot of what the relay has forwarded and refused. */
  stats(): RelayStats;
}

/**
 * A relay on your own origin that browsers send their events to, so a page holds no key, for
 * fetch runtimes: edge functions (Cloudflare Workers, Vercel Edge, Netlify Edge, Deno, Bun) and
 * Fetch-style routes (Hono, Next.js route handlers). The page uses
 * `createChaukasWebClient({ baseUrl: "/chaukas", … })`; the relay forwards through `chaukas`,
 * the server's client, with its key.
 *
 * ```ts
 * const relay = createChaukasRelay(chaukas, {
 *   authorize: async (request) => {
 *     const user = await userOf(request.headers.get("cookie"));
 *     return user && { tenantId: user.orgId, projectId: "support-chat", callerId: user.id };
 *   },
 * });
 * export default {
 *   fetch: (request, env, ctx) =>
 *     new URL(request.url).pathname.startsWith("/chaukas/") ? relay(request, ctx) : app(request),
 * };
 * ```
 *
 * `authorize(request)` gets the Fetch `Request` (see `ChaukasRelayOptions` for the rules it
 * enforces). Throws `ChaukasValidationError` for invalid options.
 */
export function createChaukasRelay(
  chaukas: RelayClient & FlushableClient,
  options: ChaukasRelayOptions<Request>,
): FetchRelay {
  const handler = createRelayHandler(chaukas, options);
  const relay = async (request: Request, context?: WaitUntilContext): Promise<Response> => {
    const answer = await handler.handle(universalServerRequestFromFetch(request, {}), request);
    if (answer === undefined) return new Response(null, { status: 404 });
    if (context !== undefined) flushOnWaitUntil(chaukas, context);
    return universalServerResponseToFetch(answer);
  };
  return Object.assign(relay, { stats: handler.stats });
}
