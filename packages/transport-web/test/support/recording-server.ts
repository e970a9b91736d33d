import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a recording server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RecordingServerOptions {
  /** Files served by path: [content type, body]. Default: none. */
  readonly files?: Readonly<Record<string, readonly [string, string]>>;
  /**
   * Answer as a CORS-enabled API for any origin, allowing these request headers in preflights.
   * Default: no CORS headers (a cross-origin page still sends simple requests, but cannot read
   * the answer).
   */
  readonly corsAllowHeaders?: string;
}

export interface RecordingServer {
  readonly url: string;
  /** Every request received, preflights included, in order. */
  readonly received: RecordedRequest[];
  /** The last request received with `method` (default any but OPTIONS). */
  last(method?: string): RecordedRequest;
  close(): Promise<void>;
}

/**
 * A loopback server (127.0.0.1, port 0) that records what it receives: headers as they arrived
 * on the wire. Serves `files`, and answers anything else with 204.
 */
export async function startRecordingServer(
  options: RecordingServerOptions = {},
): Promise<RecordingServer> {
  const received: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      received.push({ method: req.method ?? "", path, headers: req.headers, body });
      const cors: Record<string, string> =
        options.corsAllowHeaders === undefined
          ? {}
          : {
              "access-control-allow-origin": "*",
              "access-control-allow-methods": "GET, POST",
              "access-control-allow-headers": options.corsAllowHeaders,
            };
      const file = options.files?.[path];
      if (file !== undefined) {
        res.writeHead(200, { "content-type": file[0], "cache-control": "no-store", ...cors });
        res.end(file[1]);
      } else {
        res.writeHead(204, cors).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    last(method) {
      const request = received.findLast((r) =>
        method === undefined ? r.method !== "OPTIONS" : r.method === method,
      );
      if (request === undefined) throw new Error(`no ${method ?? "non-OPTIONS"} request received`);
      return request;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
