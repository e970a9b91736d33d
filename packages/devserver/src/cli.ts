#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startDevServer } from "./dev-server.js";
import { CLI_DEFAULT_PORT, DEV_SERVER_DEFAULTS, type DevServerLogger } from "./options.js";

const USAGE = `Usage: chaukas-devserver [options]

A local Chaukas backend: gRPC (HTTP/2 cleartext), gRPC-web and Connect on one port,
and a trace viewer for browsers at / on the same port.

Options:
  --port N              TCP port; 0 picks a free one (default ${CLI_DEFAULT_PORT})
  --host HOST           interface to bind (default ${DEV_SERVER_DEFAULTS.host})
  --data FILE           append accepted events to FILE (JSON lines) and reload it on start
                        (default: memory only)
  --api-key KEY         require "authorization: Bearer KEY" on every call (default: no auth)
  --max-batch-events N  largest IngestEventBatch, in events (default ${DEV_SERVER_DEFAULTS.maxBatchEvents})
  --max-batch-bytes N   largest ingest request, in encoded bytes (default ${DEV_SERVER_DEFAULTS.maxBatchBytes})
  --max-request-bytes N largest request message read from the wire, JSON or binary, after
                        decompression; refused while reading (default ${DEV_SERVER_DEFAULTS.maxRequestBytes})
  -h, --help            show this help
`;

function fail(message: string): never {
  process.stderr.write(`chaukas-devserver: ${message}\n`);
  process.exit(1);
}

function parseCount(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    fail(`--${name} must be an integer >= ${min} (got "${value}")`);
  return n;
}

function timeOfDay(): string {
  return new Date().toISOString().slice(11, 23);
}

const consoleLogger: DevServerLogger = {
  info: (line) => process.stdout.write(`${timeOfDay()} ${line}\n`),
  error: (line) => process.stderr.write(`${timeOfDay()} ${line}\n`),
};

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const port = parseCount("port", values.port, 0) ?? CLI_DEFAULT_PORT;
  if (port > 65535) fail(`--port must be at most 65535 (got ${port})`);
  const host = values.host ?? DEV_SERVER_DEFAULTS.host;
  const maxBatchEvents = parseCount("max-batch-events", values["max-batch-events"], 1);
  const maxBatchBytes = parseCount("max-batch-bytes", values["max-batch-bytes"], 1);
  const maxRequestBytes = parseCount("max-request-bytes", values["max-request-bytes"], 1);

  let server: Awaited<ReturnType<typeof startDevServer>>;
  try {
    server = await startDevServer({
      port,
      host,
      logger: consoleLogger,
      ...(values.data === undefined ? {} : { data: values.data }),
      ...(values["api-key"] === undefined ? {} : { apiKey: values["api-key"] }),
      ...(maxBatchEvents === undefined ? {} : { maxBatchEvents }),
      ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
      ...(maxRequestBytes === undefined ? {} : { maxRequestBytes }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      fail(`port ${port} on ${host} is already in use; stop the other server or pass --port 0`);
    }
    if (code === "EACCES") fail(`not allowed to listen on ${host}:${port}; try a port above 1024`);
    fail((error as Error).message);
  }

  const storage =
    values.data === undefined
      ? "in memory"
      : `data ${values.data} (${server.store.size} event${server.store.size === 1 ? "" : "s"} loaded)`;
  // The key itself is never printed: logs end up in terminals, CI output and bug reports.
  const auth = values["api-key"] === undefined ? "no auth" : "API key required";
  process.stdout.write(
    `chaukas-devserver listening on ${server.url} (gRPC h2c, gRPC-web, Connect, REST /v1, chaukas-sdk /events; HTTP/1.1 + HTTP/2) · ${storage} · ${auth}\n` +
      `trace viewer on ${server.viewerUrl}\n`,
  );

  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function parse() {
  return parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      "api-key": { type: "string" },
      "max-batch-events": { type: "string" },
      "max-batch-bytes": { type: "string" },
      "max-request-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

await main();
