// A support agent built with LangGraph's prebuilt ReAct agent on a scripted chat model (no API
// key): it searches a knowledge base (a retriever over an in-memory vector store) with a tool,
// then answers. Chaukas records the run through one callback handler; the session is then read
// back from the backend and printed as a tree.
//   pnpm --filter @chaukas/example-langchain-agent start [-- --endpoint URL]
import { parseArgs } from "node:util";
import { formatSessionTree, startDevServer } from "@chaukas/devserver";
import { ChaukasCallbackHandler } from "@chaukas/langchain";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { tool } from "@langchain/core/tools";
import { FakeVectorStore, SyntheticEmbeddings } from "@langchain/core/utils/testing";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { ScriptedChatModel } from "./scripted-model.js";

async function knowledgeBase() {
  const store = new FakeVectorStore(new SyntheticEmbeddings({ vectorSize: 16 }));
  await store.addDocuments([
    { pageContent: "Refunds reach the card within 5 days.", metadata: { source: "kb/refunds.md" } },
    { pageContent: "Shipping is free over 50 EUR.", metadata: { source: "kb/shipping.md" } },
  ]);
  return store.asRetriever({ k: 2 }).withConfig({ runName: "support-kb" });
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: { endpoint: { type: "string" } },
  });
  const server = values.endpoint === undefined ? await startDevServer({ port: 0 }) : undefined;
  try {
    const baseUrl = values.endpoint ?? server!.url;
    console.log(`Chaukas backend: ${baseUrl}`);
    const chaukas = createChaukasNodeClient({
      baseUrl,
      protocol: "grpc",
      tenantId: "acme",
      projectId: "langchain-example",
    });

    // The one line: every run given this handler reports to Chaukas.
    const handler = new ChaukasCallbackHandler(chaukas);

    const kb = await knowledgeBase();
    const searchKb = tool(
      async ({ query }, config) => {
        const documents = await kb.invoke(query, config);
        return documents.map((doc) => doc.pageContent).join("\n");
      },
      {
        name: "search_kb",
        description: "Searches the support knowledge base",
        schema: z.object({ query: z.string() }),
      },
    );
    const llm = new ScriptedChatModel("scripted-support", [
      {
        toolCalls: [
          { id: "call_kb", name: "search_kb", args: { query: "refund" }, type: "tool_call" },
        ],
        inputTokens: 64,
        outputTokens: 12,
      },
      { text: "Your refund reaches your card within 5 days.", inputTokens: 96, outputTokens: 11 },
    ]);
    const agent = createReactAgent({ llm, tools: [searchKb], name: "support" });
    // The session's trace id is the run's id: LangChain's ids lead to Chaukas events.
    const runId = crypto.randomUUID();
    const result = await agent.invoke(
      { messages: [{ role: "user", content: "When do I get my refund?" }] },
      { callbacks: [handler], runId },
    );
    console.log(`Answer: ${String(result.messages.at(-1)?.content)}`);

    await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = chaukas.stats();
    console.log(`${stats.sent} of ${stats.emitted} events delivered`);

    const events: Event[] = [];
    const traceId = runId.replace(/-/g, "");
    for await (const event of chaukas.query({ traceId }, { order: "asc" })) events.push(event);
    console.log(formatSessionTree(events));
    const complete =
      handler.stats().failed === 0 && stats.failed === 0 && events.length === stats.emitted;
    return complete ? 0 : 1;
  } finally {
    await server?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
