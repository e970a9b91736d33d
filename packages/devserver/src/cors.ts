import { cors } from "@connectrpc/connect";
import { refuseAccess } from "./access-refusal.js";
import { FAULT_METADATA_KEY, RETRY_PUSHBACK_METADATA_KEY } from "./faults.js";
import { isLoopbackHostname } from "./host-names.js";
import { ERROR_REASON_METADATA_KEY, INGEST_COUNT_METADATA_KEYS } from "./ingest-limits.js";
import type { NodeHandler } from "./rpc-handler.js";

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

/** A `corsOrigins` entry that allows pages on every origin to read and write all events. */
export const ANY_ORIGIN = "*";

/** The origins always allowed besides the server's own, as the README and messages name them. */
export const LOOPBACK_ORIGINS = "http://localhost:*, http://127.0.0.1:*, http://[::1]:*";

/**
 * Checks and normalises `corsOrigins`: each entry an origin as a browser sends it
 * (`scheme://host[:port]`, no path), or `*` for any.
 */
export function parseCorsOrigins(values: readonly string[]): readonly string[] {
  return values.map((value, index) => {
    if (value === ANY_ORIGIN) return ANY_ORIGIN;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    const isOrigin =
      url !== undefined &&
      url.origin !== "null" &&
      url.username === "" &&
      url.password === "" &&
      url.search === "" &&
      url.hash === "" &&
      (url.pathname === "/" || url.pathname === "");
    if (!isOrigin) {
      throw new TypeError(
        `corsOrigins[${index}] "${value}" is not an origin: give scheme, host and port only, as in "https://app.example.test" or "http://192.168.1.20:3000"`,
      );
    }
    return url.origin;
  });
}

/**
 * Whether a page on `origin` may call the server: the server's own origin (its host is the
 * request's `host`, already checked), a loopback origin (any port; http or https), or one
 * listed in `corsOrigins` (from `parseCorsOrigins`).
 */
export function isOriginAllowed(
  origin: string,
  host: string | undefined,
  corsOrigins: readonly string[],
): boolean {
  if (corsOrigins.includes(ANY_ORIGIN)) return true;
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (isLoopbackHostname(url.hostname.replace(/^\[(.*)\]$/, "$1"))) return true;
  if (host !== undefined && URL.canParse(`${url.protocol}//${host}`)) {
    if (new URL(`${url.protocol}//${host}`).host === url.host) return true;
  }
  return corsOrigins.includes(url.origin);
}

/**
 * Lets pages on the allowed origins (see `isOriginAllowed`) call the server: answers their
 * preflight `OPTIONS` itself (before auth: a browser never sends credentials on a
 * preflight) and adds the CORS headers to the rest. A request from any other origin is
 * refused, preflight or not, so a page cannot even write with a request that needs no
 * preflight; requests without `Origin` (non-browser clients) pass.
 */
export function withCors(
  handler: NodeHandler,
  corsOrigins: readonly string[],
  /** Told the origin of each refused request. */
  onRefused: (origin: string) => void = () => {},
): NodeHandler {
  return (req, res) => {
    // The answer depends on Origin even when there is none: caches must keep them apart.
    res.setHeader("Vary", "Origin");
    const origin = req.headers.origin;
    if (origin === undefined) {
      handler(req, res);
      return;
    }
    const host = req.headers[":authority"] ?? req.headers.host;
    if (!isOriginAllowed(origin, typeof host === "string" ? host : undefined, corsOrigins)) {
      onRefused(origin);
      refuseAccess(req, res, originRefusedMessage(origin));
      return;
    }
    // Echoing the origin (rather than "*") also works for pages that send credentials.
    res.setHeader("Access-Control-Allow-Origin", origin);
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.setHeader("Access-Control-Allow-Methods", cors.allowedMethods.join(", "));
      res.setHeader("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS.join(", "));
      res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_SECONDS));
      // Chromium asks before a public page calls a private address (Private Network Access);
      // an origin allowed here is allowed that too.
      if (req.headers["access-control-request-private-network"] === "true") {
        res.setHeader("Access-Control-Allow-Private-Network", "true");
      }
      res.statusCode = 204;
      res.end();
      return;
    }
    res.setHeader("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS.join(", "));
    handler(req, res);
  };
}

function originRefusedMessage(origin: string): string {
  const allow = URL.canParse(origin)
    ? ` To allow it, restart the devserver with --cors-origin ${origin} (corsOrigins: ["${origin}"] in startDevServer).`
    : "";
  return (
    `Blocked request: the origin "${origin}" is not allowed. This Chaukas devserver answers pages ` +
    `on its own origin and on loopback origins (${LOOPBACK_ORIGINS}) only, so that other websites ` +
    `cannot read or write the events it stores.${allow}`
  );
}
