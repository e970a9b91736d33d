import type { ApiKeyCheck } from "./auth.js";
import {
  errorAnswer,
  type HttpAnswer,
  HttpRefusal,
  type HttpRequest,
  type HttpResponse,
  mediaTypeOf,
  readBody,
  sendAnswer,
  sendText,
} from "./http-exchange.js";
import type { HttpRoute } from "./http-route.js";
import type { RequestLog } from "./request-log.js";
import type { NodeHandler, RpcHandler } from "./rpc-handler.js";

/** What `createHttpRouter` dispatches to, and the checks it applies on the way. */
export interface HttpRouterOptions {
  /** The service's RPCs: gRPC, gRPC-web, Connect. */
  readonly rpc: RpcHandler;
  /** The HTTP routes beside them (public REST API, chaukas-sdk). */
  readonly routes: readonly HttpRoute[];
  /** The trace viewer's files, by path (GET and HEAD). */
  readonly viewer: { readonly paths: readonly string[]; readonly serve: NodeHandler };
  /** The API key check every route applies before it reads a body; none without a key. */
  readonly checkApiKey: ApiKeyCheck | undefined;
  /** Most bytes of a request body, read or decompressed. */
  readonly readMaxBytes: number;
  /** One line per refused or unrouted request, rate-limited. */
  readonly log: RequestLog;
}

/**
 * Routes each request by path: an RPC to the Connect handler, a path of `routes` through one
 * pipeline (method, then auth, then content type, then the body read within the limit, then
 * the route), a viewer file to the viewer; anything else is 404 with a body listing what is
 * served. Every refusal and unrouted request gets one line in the request log.
 */
export function createHttpRouter(options: HttpRouterOptions): NodeHandler {
  const routesByPath = new Map<string, HttpRoute[]>();
  for (const route of options.routes) {
    routesByPath.set(route.path, [...(routesByPath.get(route.path) ?? []), route]);
  }
  const viewerPaths = new Set(options.viewer.paths);
  const served = describeServed(options);

  async function serveRoute(req: HttpRequest, res: HttpResponse, route: HttpRoute): Promise<void> {
    const name = `${route.method} ${route.path}`;
    const controller = new AbortController();
    res.once("close", () => controller.abort());
    let answer: HttpAnswer;
    try {
      const authorization = req.headers.authorization;
      const authError = options.checkApiKey?.(authorization);
      if (authError !== undefined) throw authError;
      const mediaType = mediaTypeOf(req.headers["content-type"]);
      if (route.method === "POST" && !route.accepts.includes(mediaType)) {
        throw new HttpRefusal(415, {
          code: "invalid_argument",
          message: `${name} reads ${route.accepts.join(" or ")}, not ${mediaType || "a body without content-type"}`,
        });
      }
      const body =
        route.method === "POST" ? await readBody(req, options.readMaxBytes) : new Uint8Array();
      answer = await route.handle({
        route: name,
        mediaType,
        body,
        authorization,
        signal: controller.signal,
      });
    } catch (error) {
      answer = errorAnswer(error);
    }
    if (answer.status >= 400 && answer.logged !== true) {
      const { code, message } = answer.body as { code?: string; message?: string };
      options.log.refused(`${name} → ${answer.status} ${code ?? ""}: ${message ?? ""}`);
    }
    if (!res.headersSent && !res.writableEnded) sendAnswer(res, answer);
  }

  function notFound(req: HttpRequest, res: HttpResponse, path: string): void {
    options.log.refused(`${req.method} ${path} → 404: no such route`);
    sendText(res, 404, `404 Not Found: nothing is served at ${req.method} ${path}.\n\n${served}`);
  }

  function methodNotAllowed(req: HttpRequest, res: HttpResponse, path: string, allowed: string[]) {
    options.log.refused(`${req.method} ${path} → 405: allowed ${allowed.join(", ")}`);
    sendText(
      res,
      405,
      `405 Method Not Allowed: ${path} answers ${allowed.join(", ")}, not ${req.method}.\n\n${served}`,
      new Headers({ Allow: allowed.join(", ") }),
    );
  }

  /** The answer of an RPC path to a content type no protocol uses. */
  function unsupportedRpcMediaType(req: HttpRequest, res: HttpResponse): void {
    const path = req.url?.split("?", 1)[0] ?? "";
    const contentType = req.headers["content-type"] ?? "(none)";
    options.log.refused(`${req.method} ${path} → 415: content-type ${contentType}`);
    sendText(
      res,
      415,
      `415 Unsupported Media Type: ${path} is an RPC; it reads gRPC (application/grpc, +proto, +json), ` +
        "gRPC-web (application/grpc-web, +proto, +json) and Connect (application/proto, application/json; " +
        `application/x-protobuf is read as application/proto), not ${contentType}.\n\n${served}`,
    );
  }

  return (req, res) => {
    const path = req.url?.split("?", 1)[0] ?? "";
    if (options.rpc.has(path)) {
      options.rpc.serve(req, res, unsupportedRpcMediaType);
      return;
    }
    const routes = routesByPath.get(path);
    if (routes !== undefined) {
      const route = routes.find((r) => r.method === req.method);
      if (route === undefined) {
        methodNotAllowed(
          req,
          res,
          path,
          routes.map((r) => r.method),
        );
        return;
      }
      serveRoute(req, res, route).catch((reason: unknown) => {
        console.error(`route ${route.method} ${route.path} failed`, reason);
        if (!res.headersSent) sendText(res, 500, "internal error");
      });
      return;
    }
    if (viewerPaths.has(path)) {
      if (req.method === "GET" || req.method === "HEAD") options.viewer.serve(req, res);
      else methodNotAllowed(req, res, path, ["GET", "HEAD"]);
      return;
    }
    notFound(req, res, path);
  };
}

/** The list of what this server serves, for people: in 404, 405 and 415 answers. */
function describeServed(options: HttpRouterOptions): string {
  const lines = [
    "This Chaukas devserver serves, on this one port:",
    "  POST /chaukas.spec.client.v1.ChaukasClientService/{Healthz,GetCapabilities,IngestEvent,IngestEventBatch,QueryEvents}",
    "       gRPC (HTTP/2), gRPC-web and Connect (HTTP/1.1 and HTTP/2)",
    ...options.routes.map((r) => `  ${r.method.padEnd(4)} ${r.path.padEnd(17)} ${r.summary}`),
    `  GET  ${"/".padEnd(17)} the trace viewer`,
  ];
  return lines.join("\n");
}
