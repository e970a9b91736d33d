// Answers two weather questions with the Vercel AI SDK (its mock model, scripted: no API key),
// once with generateText and once with streamText, each calling a tool. Chaukas records both
// through the AI SDK's telemetry hooks; the session is then read back and printed as a tree.
//   pnpm --filter @chaukas/example-ai-sdk start [-- --endpoint URL]
import { parseArgs } from "node:util";
import { chaukasTelemetry } from "@chaukas/ai-sdk";
import { formatSessionTree, startDevServer } from "@chaukas/devserver";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { generateText, jsonSchema, registerTelemetry, stepCountIs, streamText, tool } from "ai";
import { streamingWeatherModel, weatherModel } from "./scripted-model.js";

const weather = tool({
  description: "The current weather of a city",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  }),
  execute: async ({ city }) => ({ city, sky: city === "Oslo" ? "snow" : "sunny", celsius: 21 }),
});

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
      projectId: "ai-sdk-example",
    });

    // The one line: every AI SDK call now reports to Chaukas.
    const telemetry = chaukasTelemetry(chaukas);
    registerTelemetry(telemetry);

    // Calls made inside the session's run() nest under it (AsyncLocalStorage context).
    const session = chaukas.startSession({ agentId: "weather-desk", agentName: "Weather desk" });
    await session.run(async () => {
      const paris = await generateText({
        model: weatherModel("Paris", "It is sunny in Paris, 21 °C."),
        prompt: "What is the weather in Paris?",
        tools: { weather },
        stopWhen: stepCountIs(3),
      });
      console.log(`generateText: ${paris.text}`);
      const oslo = streamText({
        model: streamingWeatherModel("Oslo", "Snow in Oslo today."),
        prompt: "And in Oslo?",
        tools: { weather },
        stopWhen: stepCountIs(3),
      });
      console.log(`streamText: ${await oslo.text}`);
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
    const complete =
      telemetry.stats().failed === 0 && stats.failed === 0 && events.length === stats.emitted;
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
