// The browser entry consumer.test.ts bundles with esbuild and with Vite: the client and the
// web transport, as a page would use them.
import { createChaukasClient } from "@chaukas/client";
import { createWebTransport } from "@chaukas/transport-web";

const chaukas = createChaukasClient({
  transport: createWebTransport({ baseUrl: "http://127.0.0.1:50051" }),
  tenantId: "acme",
  projectId: "consumer-browser",
});
chaukas.startSession({ agentId: "page", agentName: "Page" }).end();
globalThis.chaukasConsumer = chaukas;
