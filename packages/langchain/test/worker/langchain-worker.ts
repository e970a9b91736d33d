// A Cloudflare Worker (module syntax) that answers with a LangGraph ReAct agent on a scripted
// chat model, recording the run into a Chaukas session sent over fetch to CHAUKAS_URL.
// Workers keep no context across `await`, so the handler is given the session; the callbacks
// are awaited and the flush handed to `ctx.waitUntil`, as the README says.
import { createChaukasClient } from "@chaukas/client";
import { ChaukasCallbackHandler } from "@chaukas/langchain";
import { createWebTransport, type WaitUntilContext } from "@chaukas/transport-web";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { ScriptedChatModel, usage } from "../scripted-chat-model.js";

interface Env {
  readonly CHAUKAS_URL: string;
}

export interface WorkerReply {
  readonly sessionId: string;
  readonly text: string;
  readonly handlerFailures: number;
}

const weather = tool(async ({ city }: { city: string }) => `Sunny in ${city}.`, {
  name: "weather",
  description: "The current weather of a city",
  schema: z.object({ city: z.string() }),
});

export default {
  async fetch(_request: Request, env: Env, ctx: WaitUntilContext): Promise<Response> {
    const chaukas = createChaukasClient({
      transport: createWebTransport({ baseUrl: env.CHAUKAS_URL }),
      tenantId: "acme",
      projectId: "langchain-workerd",
    });
    const session = chaukas.startSession({ agentId: "edge-agent" });
    const handler = new ChaukasCallbackHandler(session);
    const llm = new ScriptedChatModel("scripted-edge", [
      {
        toolCalls: [
          { id: "call_edge", name: "weather", args: { city: "Paris" }, type: "tool_call" },
        ],
        usage: usage(11, 3),
      },
      { text: "It is sunny in Paris.", usage: usage(17, 6) },
    ]);
    const agent = createReactAgent({ llm, tools: [weather], name: "edge_weather" });
    const result = await agent.invoke(
      { messages: [{ role: "user", content: "Weather in Paris?" }] },
      { callbacks: [handler] },
    );
    session.end();
    ctx.waitUntil(awaitAllCallbacks().then(() => chaukas.flush()));
    const reply: WorkerReply = {
      sessionId: session.id,
      text: String(result.messages.at(-1)?.content),
      handlerFailures: handler.stats().failed,
    };
    return Response.json(reply);
  },
};
