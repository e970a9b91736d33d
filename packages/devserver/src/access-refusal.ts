import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Code } from "@connectrpc/connect";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** HTTP status of a refused request outside gRPC, which answers 200 and a status of its own. */
export const ACCESS_REFUSED_STATUS = 403;

/**
 * Answers a request the access policy refuses with `message`, in the form its client reads:
 * a gRPC or gRPC-web client gets PERMISSION_DENIED as a trailers-only response, a Connect
 * client its JSON error (403), anything else (a browser, curl) the message as plain text (403).
 * Each one then shows the user why, instead of a bare "HTTP 403".
 */
export function refuseAccess(req: Request, res: Response, message: string): void {
  const contentType = req.headers["content-type"] ?? "";
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Cache-Control", "no-store");
  if (contentType.startsWith("application/grpc")) {
    res.statusCode = 200;
    // gRPC-web's content types start with "application/grpc" too; each is answered in its own.
    res.setHeader("Content-Type", contentType.split(";", 1)[0] ?? contentType);
    res.setHeader("grpc-status", String(Code.PermissionDenied));
    res.setHeader("grpc-message", encodeURIComponent(message));
    res.end();
    return;
  }
  res.statusCode = ACCESS_REFUSED_STATUS;
  if (isConnectRequest(req, contentType)) {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ code: "permission_denied", message }));
    return;
  }
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(`${message}\n`);
}

function isConnectRequest(req: Request, contentType: string): boolean {
  return (
    req.headers["connect-protocol-version"] !== undefined ||
    contentType.startsWith("application/json") ||
    contentType.startsWith("application/proto")
  );
}
