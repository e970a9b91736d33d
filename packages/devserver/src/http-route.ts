import type { HttpAnswer } from "./http-exchange.js";

/** A request that passed a route's method, auth and content-type checks, its body read. */
export interface RouteRequest {
  /** "POST /v1/events", for log lines. */
  readonly route: string;
  /** The body's media type ("application/json"), "" for none. */
  readonly mediaType: string;
  /** The body, decompressed, within the read limit. */
  readonly body: Uint8Array;
  /** The `authorization` header, passed on to the RPC the route calls. */
  readonly authorization: string | undefined;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** One HTTP route beside the RPCs: the public REST API's, and chaukas-sdk's. */
export interface HttpRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** Media types of the request bodies it reads (POST routes). */
  readonly accepts: readonly string[];
  /** What it is, for the list of what this server serves. */
  readonly summary: string;
  handle(request: RouteRequest): Promise<HttpAnswer>;
}
