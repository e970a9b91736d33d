// An AI SDK 6 call (a scripted model, no API key) traced with OpenTelemetry. In: the Chaukas span
// processor, on the app's own tracer provider, turns its spans into a Chaukas session. Out: the
// client sends the events both to the Chaukas backend and, as OTLP traces, to a Collector.
//   pnpm --filter @chaukas/example-otel start [-- --endpoint URL] [-- --collector URL]
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { createConnectExporter } from "@chaukas/client";
import { startDevServer } from "@chaukas/devserver";
import {
  createChaukasSpanProcessor,
  createFanOutExporter,
  createOtlpExporter,
} from "@chaukas/otel";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient, createNodeTransport } from "@chaukas/transport-node";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { MockLanguageModelV3 } from "ai/test";

/** A model that looks the order up, then answers. */
function scriptedModel() {
  const usage = {
    inputTokens: { total: 143, noCache: 143, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 21, text: 21, reasoning: 0 },
  };
  let step = 0;
  return new MockLanguageModelV3({
    provider: "scripted",
    modelId: "scripted-support",
    doGenerate: async () =>
      step++ === 0
        ? {
            content: [
              {
                type: "tool-call",
                toolCallId: "call-1",
                toolName: "lookupOrder",
                input: JSON.stringify({ orderId: "4521" }),
              },
            ],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage,
            warnings: [],
          }
        : {
            content: [{ type: "text", text: "Order 4521 was delivered on Monday." }],
            finishReason: { unified: "stop", raw: "stop" },
            usage,
            warnings: [],
          },
  });
}

/** Stands in for an OpenTelemetry Collector when none is given: accepts and counts requests. */
async function startStandInCollector() {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on("end", () => {
      requests++;
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received: () => `${requests} request(s), ${bytes} bytes`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The session as an indented tree, one line per span (START and END on one line). */
function renderSession(events: readonly Event[]): string {
  const depth = new Map<string, number>();
  const lines: string[] = [];
  for (const event of events) {
    const type = EventType[event.type] ?? String(event.type);
    if (type.endsWith("_END")) continue;
    const level = (depth.get(event.parentSpanId) ?? -1) + 1;
    depth.set(event.spanId, level);
    const { content } = event;
    const detail =
      content.case === "llmInvocation"
        ? `${content.value.provider}/${content.value.model}`
        : content.case === "toolCall"
          ? `${content.value.name} ${JSON.stringify(content.value.arguments)}`
          : "";
    lines.push(`${"  ".repeat(level)}${type.replace(/_START$/, "")} ${detail}`.trimEnd());
  }
  return lines.join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: { endpoint: { type: "string" }, collector: { type: "string" } },
  });
  const server = values.endpoint === undefined ? await startDevServer({ port: 0 }) : undefined;
  const standIn = values.collector === undefined ? await startStandInCollector() : undefined;
  // The app registers a context manager (the Node SDK and @vercel/otel do it for you); the AI
  // SDK nests its spans through it. The Chaukas processor registers nothing global.
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  try {
    const baseUrl = values.endpoint ?? server!.url;
    const collectorUrl = values.collector ?? standIn!.url;
    console.log(`Chaukas backend: ${baseUrl}\nOTLP collector: ${collectorUrl}`);

    // Out: every event to the backend and, as OTLP spans, to the Collector, each destination
    // with its own queue, retries and loss counts.
    const fanOut = createFanOutExporter({
      chaukas: {
        exporter: createConnectExporter(createNodeTransport({ baseUrl, protocol: "grpc" })),
      },
      collector: {
        exporter: createOtlpExporter({ url: collectorUrl, serviceName: "support-bot" }),
      },
    });
    const chaukas = createChaukasNodeClient({
      baseUrl,
      protocol: "grpc",
      tenantId: "acme",
      projectId: "otel-example",
      exporter: fanOut,
    });

    // In: the one line, on the app's own provider.
    const provider = new BasicTracerProvider({
      spanProcessors: [createChaukasSpanProcessor(chaukas)],
    });
    const tracer = provider.getTracer("support-bot");

    // An HTTP handler's span around the call: not GenAI, so it has no events, and the session
    // is the AI SDK call's own (its trace id is this span's).
    const { text, traceId } = await tracer.startActiveSpan(
      "POST /support",
      { attributes: { "http.request.method": "POST" } },
      async (span) => {
        const result = await generateText({
          model: scriptedModel(),
          prompt: "Where is order 4521?",
          tools: {
            lookupOrder: tool({
              inputSchema: jsonSchema<{ orderId: string }>({
                type: "object",
                properties: { orderId: { type: "string" } },
              }),
              execute: async ({ orderId }) => ({ orderId, status: "delivered" }),
            }),
          },
          stopWhen: stepCountIs(3),
          experimental_telemetry: { isEnabled: true, tracer },
        });
        span.end();
        return { text: result.text, traceId: span.spanContext().traceId };
      },
    );
    console.log(`answer: ${text}`);

    await provider.shutdown();
    // Hands the last events over, then shuts both destinations down (each flushes first).
    await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = fanOut.stats();
    for (const [name, destination] of Object.entries(stats)) {
      console.log(`${name}: ${destination.sent} sent, ${destination.failed} failed`);
    }
    if (standIn) console.log(`collector received ${standIn.received()}`);

    const events: Event[] = [];
    for await (const event of chaukas.query({ traceId }, { order: "asc" })) events.push(event);
    console.log(renderSession(events));
    const all = chaukas.stats().emitted;
    const complete = Object.values(stats).every((s) => s.sent === all && s.failed === 0);
    return complete && events.length === all ? 0 : 1;
  } finally {
    trace.disable();
    context.disable();
    await standIn?.close();
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
