// What a browser agent UI ships: the client, the fetch transport, one session with a tool call,
// flush, and a query back (the calls the bare baseline makes by hand).
import { createChaukasClient } from "@chaukas/client";
import { createWebTransport } from "@chaukas/transport-web";

const chaukas = createChaukasClient({
  transport: createWebTransport({ baseUrl: "http://localhost:50051" }),
  tenantId: "acme",
  projectId: "support-bot",
});
const session = chaukas.startSession({ agentId: "planner", agentName: "Planner" });
const tool = session.toolCallStart({ name: "search", arguments: { q: "refund policy", k: 5 } });
tool.end({ output: { hits: 3 } });
session.end();
await chaukas.healthz();
await chaukas.capabilities();
await chaukas.flush();
for await (const event of chaukas.query({ sessionId: session.id })) {
  console.log(event.eventId);
}
