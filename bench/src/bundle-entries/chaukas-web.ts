// Row 3: the page the transport-web bundle budget measures
// (packages/transport-web/scripts/bundle-entries/sdk.ts); keep the two the same.
import { createChaukasClient } from "@chaukas/client";
import { createConnectWebTransport, registerPageLifecycleFlush } from "@chaukas/transport-web";

const chaukas = createChaukasClient({
  transport: createConnectWebTransport({ baseUrl: "https://ingest.example.com" }),
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
