// A Cloudflare Worker (module syntax) that asks the fake OpenAI API at OPENAI_URL twice, once
// streamed, through a wrapped `openai` client, recording both calls into a Chaukas session sent
// over fetch to CHAUKAS_URL. Edge runtimes keep no context across `await`, so the wrapper is
// given the session handle; the flush goes to `ctx.waitUntil`.
import { createChaukasClient } from "@chaukas/client";
import { wrapOpenAI } from "@chaukas/openai";
import {
  createWebTransport,
  flushOnWaitUntil,
  type WaitUntilContext,
} from "@chaukas/transport-web";
import OpenAI from "openai";

interface Env {
  readonly CHAUKAS_URL: string;
  readonly OPENAI_URL: string;
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
      projectId: "openai-workerd",
    });
    const session = chaukas.startSession({ agentId: "edge-agent" });
    let wrapperFailures = 0;
    const openai = wrapOpenAI(
      new OpenAI({ apiKey: "sk-test", baseURL: env.OPENAI_URL, maxRetries: 0 }),
      session,
      { onError: () => wrapperFailures++ },
    );
    const completion = await openai.chat.completions.create({
      model: "gpt-fake",
      messages: [{ role: "user", content: "Say hello" }],
    });
    const stream = await openai.chat.completions.create({
      model: "gpt-fake",
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    session.end();
    flushOnWaitUntil(chaukas, ctx);
    const reply: WorkerReply = {
      sessionId: session.id,
      answer: completion.choices[0]?.message.content ?? null,
      streamed,
      wrapperFailures,
    };
    return Response.json(reply);
  },
};
