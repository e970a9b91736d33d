// Runs a two-agent OpenAI Agents SDK workflow (scripted model, no API key) with Chaukas
// tracing, then reads the session back from the backend and prints it as a tree.
//   pnpm --filter @chaukas/example-openai-agents start [-- --endpoint URL]
import { parseArgs } from "node:util";
import { startDevServer } from "@chaukas/devserver";
import { createChaukasTracingProcessor } from "@chaukas/openai-agents";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { generateTraceId, Runner, setTraceProcessors } from "@openai/agents";
import { renderSession } from "./render-session.js";
import { createSupportDesk } from "./support-agents.js";

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
      projectId: "openai-agents-example",
    });

    // The one line. `setTraceProcessors` replaces OpenAI's exporter, which would need an API
    // key; `addTraceProcessor` would keep it and add Chaukas beside it.
    const processor = createChaukasTracingProcessor(chaukas);
    setTraceProcessors([processor]);

    // The session's trace id is the SDK's without "trace_", so the run can be found by it.
    const traceId = generateTraceId();
    const runner = new Runner({
      workflowName: "Support desk",
      groupId: "conversation-4521",
      traceId,
    });
    const result = await runner.run(
      createSupportDesk(),
      "I returned order 4521, refund me please.",
    );
    console.log(`answer (${result.lastAgent?.name}): ${result.finalOutput}`);

    await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = chaukas.stats();
    console.log(`${stats.sent} of ${stats.emitted} events delivered`);

    const events: Event[] = [];
    for await (const event of chaukas.query({ traceId: traceId.slice(6) }, { order: "asc" })) {
      events.push(event);
    }
    console.log(renderSession(events));
    const complete =
      processor.stats().failed === 0 && stats.failed === 0 && events.length === stats.emitted;
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
