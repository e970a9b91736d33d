import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors } from "@connectrpc/connect";
import { FAULT_METADATA_KEY, RETRY_PUSHBACK_METADATA_KEY } from "./faults.js";
import { ERROR_REASON_METADATA_KEY, INGEST_COUNT_METADATA_KEYS } from "./ingest-limits.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;
type Handler = (req: Request, res: Response) => void;

/** Request headers a browser may send: Connect's own, plus the API key. */
export const CORS_ALLOWED_HEADERS: readonly string[] = [...cors.allowedHeaders, "Authorization"];

/**
 * Response headers a browser may read: Connect's own, plus ours. Connect sends error metadata
 * of unary calls as headers (with a `Trailer-` prefix for trailers), so both forms are listed.
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = (() => {
  const ours = [
    ERROR_REASON_METADATA_KEY,
    FAULT_METADATA_KEY,
    RETRY_PUSHBACK_METADATA_KEY,
    ...Object.values(INGEST_COUNT_METADATA_KEYS),
  ];
  return [...cors.exposedHeaders, ...ours, ...ours.map((key) => `Trailer-${key}`)];
})();

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/**
 * Lets pages on any origin call the server: answers preflight `OPTIONS` itself (before auth:
 * a browser never sends credentials on a preflight) and adds the CORS headers to the rest.
 */
export function withCors(handler: Handler): Handler {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) {
      handler(req, res);
      return;
    }
    // Echoing the origin (rather than "*") also works for pages that send credentials.
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.setHeader("Access-Control-Allow-Methods", cors.allowedMethods.join(", "));
      res.setHeader("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS.join(", "));
      res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_SECONDS));
      res.statusCode = 204;
      res.end();
      return;
    }
    res.setHeader("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS.join(", "));
    handler(req, res);
  };
}
