// A weather question answered with `@anthropic-ai/sdk`: the model uses a tool, the app runs
// it, the model streams the answer (`messages.stream`). `wrapAnthropic` records every call; the
// session is read back and printed as a tree. A scripted Messages API server on loopback stands
// in for the API (no key, no network).
//   pnpm --filter @chaukas/example-anthropic start [-- --endpoint URL]
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { wrapAnthropic } from "@chaukas/anthropic";
import { formatSessionTree, startDevServer } from "@chaukas/devserver";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
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
      projectId: "anthropic-example",
    });

    // The one line: every call of this client now reports to Chaukas.
    const anthropic = wrapAnthropic(
      new Anthropic({ apiKey: "not-needed", baseURL: model.url }),
      chaukas,
    );

    // Calls made inside the session's run() nest under it (AsyncLocalStorage context).
    const session = chaukas.startSession({ agentId: "weather-desk", agentName: "Weather desk" });
    await session.run(async () => {
      const messages: Anthropic.MessageParam[] = [
        { role: "user", content: "What is the weather in Paris?" },
      ];
      const tools: Anthropic.Tool[] = [
        {
          name: "get_weather",
          input_schema: { type: "object", properties: { city: { type: "string" } } },
        },
      ];
      const first = await anthropic.messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 1024,
        messages,
        tools,
      });
      messages.push({ role: "assistant", content: first.content });
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of first.content) {
        if (block.type !== "tool_use") continue;
        // The app's own tool, recorded with the client's builders.
        const tool = chaukas.toolCallStart({
          name: block.name,
          id: block.id,
          arguments: block.input as Record<string, unknown>,
        });
        const result = { sky: "sunny", celsius: 21 };
        tool.end({ output: result });
        results.push({
          type: "tool_result",
          tool_use_id: block.id,
          content: JSON.stringify(result),
        });
      }
      messages.push({ role: "user", content: results });
      const answer = await anthropic.messages
        .stream({ model: "claude-sonnet-4-5", max_tokens: 1024, messages, tools })
        .finalText();
      console.log(`answer: ${answer}`);
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
