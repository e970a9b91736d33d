// The CommonJS twin of node-esm.mjs; consumer.test.ts runs it with require(esm) turned off, so it
// passes only if every package reached through require() ships real CommonJS.
const { startDevServer } = require("@chaukas/devserver");
const { EventType } = require("@chaukas/spec/common/v1");
const { createChaukasNodeClient } = require("@chaukas/transport-node");
const { ConnectError } = require("@connectrpc/connect");

async function main() {
  const server = await startDevServer({ port: 0 });
  try {
    const chaukas = createChaukasNodeClient({
      baseUrl: server.url,
      tenantId: "acme",
      projectId: "consumer-cjs",
    });
    const session = chaukas.startSession({ agentId: "consumer", agentName: "Consumer" });
    session.inputReceived({ text: "hello from CommonJS" });
    session.end();
    await chaukas.flush();
    const stored = [];
    for await (const event of chaukas.query({ sessionId: session.id }, { order: "asc" })) {
      stored.push(EventType[event.type]);
    }
    await chaukas.shutdown();

    const offline = createChaukasNodeClient({
      baseUrl: "http://127.0.0.1:9",
      tenantId: "acme",
      projectId: "consumer-cjs",
      exitFlush: false,
    });
    const error = await offline.healthz().then(
      () => undefined,
      (e) => e,
    );
    await offline.shutdown();

    console.log(
      JSON.stringify({
        client: require.resolve("@chaukas/client"),
        stored,
        errorIsAppConnectError: error instanceof ConnectError,
      }),
    );
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
