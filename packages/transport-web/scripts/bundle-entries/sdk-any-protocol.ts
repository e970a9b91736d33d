// The same page with `createWebTransport`, which picks Connect, gRPC-web or REST at run time
// and so bundles all three: printed for comparison, not budgeted.
import { createChaukasClient } from "@chaukas/client";
import { createWebTransport, registerPageLifecycleFlush } from "@chaukas/transport-web";

const chaukas = createChaukasClient({
  transport: createWebTransport({ baseUrl: "https://ingest.example.com" }),
  tenantId: "acme",
  projectId: "chat-ui",
});
registerPageLifecycleFlush(chaukas);
const session = chaukas.startSession({ agentId: "chat", agentName: "Chat" });
session.inputReceived({ text: "hi" });
const model = session.modelInvocationStart({ provider: "openai", model: "gpt-4o-mini" });
model.end({ promptTokens: 10, completionTokens: 5, finishReason: "stop" });
const tool = session.toolCallStart({ name: "search", arguments: { q: "refunds" } });
tool.end({ output: { hits: 1 } });
session.outputEmitted({ text: "hello" });
session.end();
await chaukas.flush();
for await (const event of chaukas.query({ sessionId: session.id })) console.log(event.type);
