// Deno: `pnpm --filter @chaukas/example-edge-worker start:deno` (after `pnpm build`). Serves the example
// agent; each request records a session, flushed before the response by `withChaukas` since
// Deno.serve has no waitUntil. CHAUKAS_ENDPOINT (default http://127.0.0.1:50051), CHAUKAS_PROTOCOL
// (connect, grpc-web or rest; default connect), PORT (default 8000).
import { createChaukasClient } from "@chaukas/client";
import { createWebTransport, type WebProtocol, withChaukas } from "@chaukas/transport-web";
import { recordAgentSession } from "./record-session.js";

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(addr: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const chaukas = createChaukasClient({
  transport: createWebTransport({
    baseUrl: Deno.env.get("CHAUKAS_ENDPOINT") ?? "http://127.0.0.1:50051",
    protocol: (Deno.env.get("CHAUKAS_PROTOCOL") ?? "connect") as WebProtocol,
  }),
  tenantId: "acme",
  projectId: "edge-deno",
});

Deno.serve(
  {
    port: Number(Deno.env.get("PORT") ?? 8000),
    hostname: "127.0.0.1",
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  withChaukas(chaukas, async (request: Request) => {
    const question = new URL(request.url).searchParams.get("q") ?? "hello";
    return Response.json(recordAgentSession(chaukas, question, "deno"));
  }),
);
