// A weather question answered with the `openai` SDK: the model asks for a tool, the app runs
// it, the model streams the answer; then the question is embedded. `wrapOpenAI` records every
// call; the session is read back and printed as a tree. A scripted OpenAI-compatible server on
// loopback stands in for the API (no key, no network).
//   pnpm --filter @chaukas/example-openai start [-- --endpoint URL]
import { parseArgs } from "node:util";
import { formatSessionTree, startDevServer } from "@chaukas/devserver";
import { wrapOpenAI } from "@chaukas/openai";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import OpenAI from "openai";
import { startLocalModelServer } from "./local-model-server.js";

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: { endpoint: { type: "string" } },
  });
  const server = values.endpoint === undefined ? await startDevServer({ port: 0 }) : undefined;
  const model = await startLocalModelServer();
  try {
    const baseUrl = values.endpoint ?? server!.url;
    console.log(`Chaukas backend: ${baseUrl}`);
    const chaukas = createChaukasNodeClient({
      baseUrl,
      protocol: "grpc",
      tenantId: "acme",
      projectId: "openai-example",
    });

    // The one line: every call of this client now reports to Chaukas.
    const openai = wrapOpenAI(new OpenAI({ apiKey: "not-needed", baseURL: model.url }), chaukas);

    // Calls made inside the session's run() nest under it (AsyncLocalStorage context).
    const session = chaukas.startSession({ agentId: "weather-desk", agentName: "Weather desk" });
    await session.run(async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: "user", content: "What is the weather in Paris?" },
      ];
      const tools: OpenAI.ChatCompletionTool[] = [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ];
      const first = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
      const message = first.choices[0]!.message;
      messages.push(message);
      for (const call of message.tool_calls ?? []) {
        if (call.type !== "function") continue;
        // The app's own tool, recorded with the client's builders.
        const tool = chaukas.toolCallStart({
          name: call.function.name,
          id: call.id,
          arguments: JSON.parse(call.function.arguments),
        });
        const result = { sky: "sunny", celsius: 21 };
        tool.end({ output: result });
        messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(result) });
      }
      const stream = await openai.chat.completions.create({
        model: "gpt-4o-mini",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let answer = "";
      for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? "";
      console.log(`answer: ${answer}`);
      await openai.embeddings.create({ model: "text-embedding-3-small", input: answer });
    });
    session.end();

    await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = chaukas.stats();
    console.log(`${stats.sent} of ${stats.emitted} events delivered`);

    const events: Event[] = [];
    for await (const event of chaukas.query({ sessionId: session.id }, { order: "asc" })) {
      events.push(event);
    }
    console.log(formatSessionTree(events));
    return stats.failed === 0 && events.length === stats.emitted ? 0 : 1;
  } finally {
    await model.close();
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
