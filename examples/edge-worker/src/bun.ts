// Bun: `pnpm --filter @chaukas/example-edge-worker start:bun` (after `pnpm build`). Serves the example agent; each request records a
// session, flushed before the response by `withChaukas` since Bun.serve has no waitUntil.
// CHAUKAS_ENDPOINT (default http://127.0.0.1:50051), CHAUKAS_PROTOCOL (connect, grpc-web or rest;
// default connect), PORT (default 8000).
import { createChaukasClient } from "@chaukas/client";
import { createWebTransport, type WebProtocol, withChaukas } from "@chaukas/transport-web";
import { recordAgentSession } from "./record-session.js";

declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Promise<Response>;
  }): { port: number };
};

const chaukas = createChaukasClient({
  transport: createWebTransport({
    baseUrl: Bun.env.CHAUKAS_ENDPOINT ?? "http://127.0.0.1:50051",
    protocol: (Bun.env.CHAUKAS_PROTOCOL ?? "connect") as WebProtocol,
  }),
  tenantId: "acme",
  projectId: "edge-bun",
});

const server = Bun.serve({
  port: Number(Bun.env.PORT ?? 8000),
  hostname: "127.0.0.1",
  fetch: withChaukas(chaukas, async (request: Request) => {
    const question = new URL(request.url).searchParams.get("q") ?? "hello";
    return Response.json(recordAgentSession(chaukas, question, "bun"));
  }),
});
console.log(`listening on http://127.0.0.1:${server.port}`);
