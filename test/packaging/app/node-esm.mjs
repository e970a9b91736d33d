// Run by consumer.test.ts in a scratch app that installed the packed tarballs: records a
// session into a devserver started from @chaukas/devserver, reads it back, and prints JSON.
import { startDevServer } from "@chaukas/devserver";
import { EventType } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { ConnectError } from "@connectrpc/connect";

const server = await startDevServer({ port: 0 });
try {
  const chaukas = createChaukasNodeClient({
    baseUrl: server.url,
    tenantId: "acme",
    projectId: "consumer-esm",
  });
  const session = chaukas.startSession({ agentId: "consumer", agentName: "Consumer" });
  session.inputReceived({ text: "hello from ESM" });
  session.end();
  await chaukas.flush();
  const stored = [];
  for await (const event of chaukas.query({ sessionId: session.id }, { order: "asc" })) {
    stored.push(EventType[event.type]);
  }
  await chaukas.shutdown();

  // Nothing listens on port 9: the error must be the app's own ConnectError class.
  const offline = createChaukasNodeClient({
    baseUrl: "http://127.0.0.1:9",
    tenantId: "acme",
    projectId: "consumer-esm",
    exitFlush: false,
  });
  const error = await offline.healthz().then(
    () => undefined,
    (e) => e,
  );
  await offline.shutdown();

  console.log(
    JSON.stringify({
      client: import.meta.resolve("@chaukas/client"),
      stored,
      errorIsAppConnectError: error instanceof ConnectError,
    }),
  );
} finally {
  await server.close();
}
