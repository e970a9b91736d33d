// The quickstart: `pnpm demo` from the repository root. Starts a local Chaukas backend (unless
// --endpoint is given), runs the simulated support agent against it over gRPC/HTTP2, then
// reads the session back and prints it as a span tree. With --keep the local backend and its
// trace viewer stay up until Ctrl-C.
import { parseArgs } from "node:util";
import { startDevServer } from "@chaukas/devserver";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient, type NodeTransportProtocol } from "@chaukas/transport-node";
import { runSupportAgent } from "./agent.js";
import { formatMs, renderSession } from "./render-session.js";
import { terminalStyle } from "./terminal-style.js";

const USAGE = `Usage: pnpm demo [-- options]

  --endpoint URL     send to this Chaukas backend instead of starting a local one
  --protocol NAME    grpc (default), connect, grpc-web or rest
  --api-key KEY      sent as "authorization: Bearer KEY"
  --tenant ID        tenant_id of the events (default: acme)
  --project ID       project_id of the events (default: support-bot)
  --pace N           scale the simulated latencies (default: 1; 0 = no waiting)
  --keep             keep the local backend and its trace viewer running (until Ctrl-C)
  --help             show this text`;

const PROTOCOLS: readonly NodeTransportProtocol[] = ["grpc", "connect", "grpc-web", "rest"];
const PROTOCOL_LABEL: Record<NodeTransportProtocol, string> = {
  grpc: "gRPC over HTTP/2",
  connect: "Connect over HTTP/1.1",
  "grpc-web": "gRPC-web over HTTP/1.1",
  rest: "the public REST API (JSON over HTTP/1.1)",
};

async function main(argv: readonly string[]): Promise<number> {
  // `pnpm demo -- --endpoint …` may pass the separator through.
  const args = argv.filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args,
    options: {
      endpoint: { type: "string" },
      protocol: { type: "string", default: "grpc" },
      "api-key": { type: "string" },
      tenant: { type: "string", default: "acme" },
      project: { type: "string", default: "support-bot" },
      pace: { type: "string", default: "1" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const protocol = values.protocol as NodeTransportProtocol;
  const pace = Number(values.pace);
  if (!PROTOCOLS.includes(protocol) || !Number.isFinite(pace) || pace < 0) {
    console.error(USAGE);
    return 2;
  }

  const style = terminalStyle();
  if (values.keep && values.endpoint !== undefined) {
    console.error("--keep keeps the local backend running; it cannot be used with --endpoint");
    return 2;
  }
  const server = values.endpoint === undefined ? await startDevServer({ port: 0 }) : undefined;
  try {
    const baseUrl = values.endpoint ?? server!.url;
    console.log(
      server !== undefined
        ? `${style.green("▶")} local Chaukas backend on ${style.bold(baseUrl)} ${style.dim("(gRPC, gRPC-web and Connect on one port)")}\n` +
            `${style.green("▶")} trace viewer on ${style.bold(server.viewerUrl)}`
        : `${style.green("▶")} Chaukas backend ${style.bold(baseUrl)}`,
    );

    const chaukas = createChaukasNodeClient({
      baseUrl,
      protocol,
      ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
      tenantId: values.tenant,
      projectId: values.project,
    });
    const started = performance.now();
    const run = await runSupportAgent(chaukas, { pace });
    const flushed = await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = chaukas.stats();
    console.log(
      `${style.green("▶")} agent answered in ${formatMs(performance.now() - started)}; ` +
        `${stats.sent} of ${stats.emitted} events delivered in ${stats.exportCalls} call(s) over ${PROTOCOL_LABEL[protocol]}` +
        (stats.failed > 0 || !flushed.completed
          ? style.red(` (${stats.failed} failed, ${flushed.pending} pending)`)
          : ""),
    );
    console.log(`${style.dim("  answer:")} ${run.answer}\n`);

    const events: Event[] = [];
    for await (const event of chaukas.query({ sessionId: run.sessionId })) {
      events.push(event);
    }
    console.log(renderSession(events, style));
    const complete = stats.failed === 0 && events.length === stats.emitted;
    if (!complete) {
      console.error(style.red(`\nexpected ${stats.emitted} events back, found ${events.length}`));
    }
    if (values.keep && server !== undefined) {
      console.log(
        `\n${style.green("▶")} the backend keeps running: open ${style.bold(`${server.viewerUrl}#session=${run.sessionId}`)} ${style.dim("(Ctrl-C to stop)")}`,
      );
      await untilInterrupted();
    }
    return complete ? 0 : 1;
  } finally {
    await server?.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM (which then no longer end the process at once). */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
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
