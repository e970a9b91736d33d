// A Cloudflare Worker (module syntax) that records one Chaukas session per request and hands
// the flush to `ctx.waitUntil`, so the response is not held back and nothing is lost when the
// isolate is frozen. Config comes from bindings: CHAUKAS_ENDPOINT (required), CHAUKAS_API_KEY,
// CHAUKAS_PROTOCOL (connect, grpc-web or rest; default connect).
import { createChaukasClient } from "@chaukas/client";
import {
  createWebTransport,
  flushOnWaitUntil,
  type WaitUntilContext,
  type WebProtocol,
} from "@chaukas/transport-web";
import { recordAgentSession } from "./record-session.js";

interface Env {
  readonly CHAUKAS_ENDPOINT: string;
  readonly CHAUKAS_API_KEY?: string;
  readonly CHAUKAS_PROTOCOL?: WebProtocol;
}

export default {
  async fetch(request: Request, env: Env, ctx: WaitUntilContext): Promise<Response> {
    // A client per request: bindings arrive with the request, and the flush below empties its
    // queue, so no timer or connection outlives the request.
    const chaukas = createChaukasClient({
      transport: createWebTransport({
        baseUrl: env.CHAUKAS_ENDPOINT,
        ...(env.CHAUKAS_API_KEY === undefined ? {} : { apiKey: env.CHAUKAS_API_KEY }),
        ...(env.CHAUKAS_PROTOCOL === undefined ? {} : { protocol: env.CHAUKAS_PROTOCOL }),
      }),
      tenantId: "acme",
      projectId: "edge-worker",
    });
    const question = new URL(request.url).searchParams.get("q") ?? "hello";
    const reply = recordAgentSession(chaukas, question, "workerd");
    flushOnWaitUntil(chaukas, ctx);
    return Response.json(reply);
  },
};
