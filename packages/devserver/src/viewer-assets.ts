import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { NodeHandler } from "./rpc-handler.js";

/**
 * Where `scripts/build-viewer.mjs` writes the viewer. The same path from `src/` (tests) and
 * from `dist/` (the published package): both sit beside `dist/`.
 */
export const VIEWER_DIR = fileURLToPath(new URL("../dist/viewer/", import.meta.url));

/** The viewer's files by URL path: file name and content type. */
const VIEWER_FILES: ReadonlyMap<string, readonly [file: string, contentType: string]> = new Map([
  ["/", ["index.html", "text/html; charset=utf-8"]],
  ["/index.html", ["index.html", "text/html; charset=utf-8"]],
  ["/viewer.js", ["viewer.js", "text/javascript; charset=utf-8"]],
  ["/viewer.css", ["viewer.css", "text/css; charset=utf-8"]],
]);

/** The paths the viewer serves. */
export const VIEWER_PATHS: readonly string[] = [...VIEWER_FILES.keys()];

/**
 * The page may load only its own files and talk only to this server: no CDN, no other
 * network, and no inline script an event's content could smuggle in.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the trace viewer's files (GET and HEAD); 404 for any other path. */
export function createViewerHandler(directory: string = VIEWER_DIR): NodeHandler {
  return (req, res) => {
    const path = req.url?.split("?", 1)[0] ?? "";
    const entry = VIEWER_FILES.get(path);
    if (entry === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const [file, contentType] = entry;
    readFile(`${directory}${file}`).then(
      (body) => {
        res.statusCode = 200;
        res.setHeader("Content-Type", contentType);
        res.setHeader("Content-Length", body.byteLength);
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        res.setHeader("X-Content-Type-Options", "nosniff");
        if (req.method === "HEAD") res.end();
        else res.end(body);
      },
      () => {
        res.statusCode = 503;
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end(
          "The trace viewer is not built: run `pnpm build` (or `node packages/devserver/scripts/build-viewer.mjs`).\n",
        );
      },
    );
  };
}
