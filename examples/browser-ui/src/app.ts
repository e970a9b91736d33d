// The chat page: a fake agent answers in the page, every exchange is recorded as part of one
// Chaukas session sent to the backend on another origin, and the right-hand panel shows the
// session's events as the backend returns them to a query.
import { EventType } from "@chaukas/spec/common/v1";
import { createChaukasWebClient } from "@chaukas/transport-web";
import { answerFor } from "./fake-agent.js";

// serve.ts injects the backend's URL; `?backend=` overrides it.
const backendUrl =
  new URLSearchParams(location.search).get("backend") ??
  (globalThis as { CHAUKAS_ENDPOINT?: string }).CHAUKAS_ENDPOINT ??
  "http://127.0.0.1:50051";

const chaukas = createChaukasWebClient({
  baseUrl: backendUrl,
  tenantId: "acme",
  projectId: "browser-chat",
});
const session = chaukas.startSession({ agentId: "support", agentName: "Support agent" });

const chat = document.getElementById("chat")!;
const form = document.getElementById("ask") as HTMLFormElement;
const input = document.getElementById("question") as HTMLInputElement;
const eventList = document.getElementById("event-list")!;
document.getElementById("session")!.textContent = `session ${session.id}`;

function show(author: "user" | "agent", text: string): void {
  const div = document.createElement("div");
  div.className = `msg ${author}`;
  div.textContent = text;
  chat.append(div);
}

form.addEventListener("submit", (submit) => {
  submit.preventDefault();
  const question = input.value.trim();
  if (question === "") return;
  input.value = "";
  show("user", question);
  session.inputReceived({ text: question });
  const agent = session.agentStart({ agentId: "support", agentName: "Support agent" });
  const model = agent.modelInvocationStart({ provider: "in-page", model: "canned-1" });
  const { answer, tool } = answerFor(question);
  if (tool !== undefined) {
    const call = agent.toolCallStart({ name: tool.name, arguments: { q: tool.q } });
    call.end({ output: { found: true } });
  }
  model.end({
    promptTokens: question.length,
    completionTokens: answer.length,
    finishReason: "stop",
  });
  agent.end();
  session.outputEmitted({ text: answer });
  show("agent", answer);
  void refreshEvents();
});

// Sends what is queued, then shows the session as the backend has it (oldest first).
async function refreshEvents(): Promise<void> {
  await chaukas.flush();
  const rows: string[] = [];
  for await (const event of chaukas.query({ sessionId: session.id }, { order: "asc" })) {
    rows.push(`${EventType[event.type]} ${event.spanId}`);
  }
  eventList.replaceChildren(
    ...rows.map((row) => {
      const li = document.createElement("li");
      li.textContent = row;
      return li;
    }),
  );
}

void refreshEvents();
setInterval(() => void refreshEvents(), 2000);
