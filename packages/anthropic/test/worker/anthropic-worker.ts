// A Cloudflare Worker (module syntax) that asks the fake Anthropic API at ANTHROPIC_URL twice,
// once through `messages.stream`, with a wrapped `@anthropic-ai/sdk` client, recording both
// calls into a Chaukas session sent over fetch to CHAUKAS_URL. Edge runtimes keep no context
// across `await`, so the wrapper is given the session handle; the flush goes to `ctx.waitUntil`.
import Anthropic from "@anthropic-ai/sdk";
import { wrapAnthropic } from "@chaukas/anthropic";
import { createChaukasClient } from "@chaukas/client";
import {
  createWebTransport,
  flushOnWaitUntil,
  type WaitUntilContext,
} from "@chaukas/transport-web";

interface Env {
  readonly CHAUKAS_URL: string;
  readonly ANTHROPIC_URL: string;
}

export interface WorkerReply {
  readonly sessionId: string;
  readonly answer: string | null;
  readonly streamed: string;
  readonly wrapperFailures: number;
}

export default {
  async fetch(_request: Request, env: Env, ctx: WaitUntilContext): Promise<Response> {
    const chaukas = createChaukasClient({
      transport: createWebTransport({ baseUrl: env.CHAUKAS_URL }),
      tenantId: "acme",
      projectId: "anthropic-workerd",
    });
    const session = chaukas.startSession({ agentId: "edge-agent" });
    let wrapperFailures = 0;
    const anthropic = wrapAnthropic(
      new Anthropic({ apiKey: "sk-ant-test", baseURL: env.ANTHROPIC_URL, maxRetries: 0 }),
      session,
      { onError: () => wrapperFailures++ },
    );
    const request = {
      model: "claude-fake",
      max_tokens: 256,
      messages: [{ role: "user" as const, content: "Say hello" }],
    };
    const message = await anthropic.messages.create(request);
    const first = message.content[0];
    const streamed = await anthropic.messages.stream(request).finalText();
    session.end();
    flushOnWaitUntil(chaukas, ctx);
    const reply: WorkerReply = {
      sessionId: session.id,
      answer: first?.type === "text" ? first.text : null,
      streamed,
      wrapperFailures,
    };
    return Response.json(reply);
  },
};
