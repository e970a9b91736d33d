// The chat page. Its Chaukas client sends to the relay on the page's own origin
// (`baseUrl: "/chaukas"`): no key, no CORS, no third-party host for an ad blocker to stop. Each
// question goes to our Node agent with `createTracedFetch`, which carries the page's span and
// session (`traceparent`, `baggage`) to the page's own origin and nowhere else. The agent
// continues the session and asks the knowledge base's MCP server, which continues it too: the
// page, the agent and the MCP server record into one session, which the right-hand panel shows
// as the backend returns it to a query (through the relay, for this session only).
import { EventType } from "@chaukas/spec/common/v1";
import { createChaukasWebClient, createTracedFetch } from "@chaukas/transport-web";
import type { ExampleConfig } from "./example-config.js";

const config = (globalThis as { CHAUKAS_EXAMPLE?: ExampleConfig }).CHAUKAS_EXAMPLE!;
// A third-party endpoint the page also talks to (an analytics beacon), if `?analytics=` names
// one: it is outside `propagateTo`, so it never sees the page's trace or session id.
const analyticsUrl = new URLSearchParams(location.search).get("analytics");

// The session the server gave this visitor: the relay accepts events for it and no other.
const sessionId = document.querySelector('meta[name="chaukas-session"]')!.getAttribute("content")!;

const chaukas = createChaukasWebClient({
  baseUrl: "/chaukas",
  // Required by the client, but the relay sets the tenant and project the server decided.
  tenantId: "set-by-the-relay",
  projectId: "set-by-the-relay",
});
// Trace context goes to the page's own origin (the default), where our agent is.
const tracedFetch = createTracedFetch(chaukas);
const session = chaukas.startSession({ sessionId, agentId: "chat-page", agentName: "Chat page" });

const chat = document.getElementById("chat")!;
const form = document.getElementById("ask") as HTMLFormElement;
const input = document.getElementById("question") as HTMLInputElement;
const eventList = document.getElementById("event-list")!;
document.getElementById("session")!.textContent = `session ${session.id}`;
const viewerLink = document.getElementById("viewer") as HTMLAnchorElement;
viewerLink.href = `${config.viewerUrl}#session=${encodeURIComponent(session.id)}`;

function show(author: "user" | "agent", text: string): void {
  const div = document.createElement("div");
  div.className = `msg ${author}`;
  div.textContent = text;
  chat.append(div);
}

/** Asks our agent; the request carries `ask`'s span, so the agent's events nest under it. */
async function askAgent(question: string): Promise<string> {
  const ask = session.toolCallStart({ name: "ask_support_agent", arguments: { question } });
  try {
    // Same origin: the app's session cookie goes along, and the agent trusts it.
    const response = await tracedFetch("/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question }),
      span: ask,
    });
    if (!response.ok) throw new Error(`the agent answered HTTP ${response.status}`);
    const { answer } = (await response.json()) as { answer: string };
    ask.end({ output: { answer }, httpStatus: response.status });
    return answer;
  } catch (error) {
    ask.fail(error);
    throw error;
  }
}

form.addEventListener("submit", (submit) => {
  submit.preventDefault();
  const question = input.value.trim();
  if (question === "") return;
  input.value = "";
  show("user", question);
  session.inputReceived({ text: question });
  if (analyticsUrl !== null) {
    // The same fetch with a span to carry: only `propagateTo` keeps the ids off this request.
    void tracedFetch(analyticsUrl, {
      method: "POST",
      body: JSON.stringify({ event: "question_asked" }),
      span: session,
    }).catch(() => {});
  }
  askAgent(question).then(
    (answer) => {
      session.outputEmitted({ text: answer });
      show("agent", answer);
      void refreshEvents();
    },
    (error: unknown) => show("agent", `(the agent is unavailable: ${String(error)})`),
  );
});

// Sends what is queued, then shows the session as the backend has it (oldest first): the
// page's events, the agent's and the MCP server's. The relay answers this query for the
// visitor's own session only.
async function refreshEvents(): Promise<void> {
  await chaukas.flush();
  const rows: string[] = [];
  for await (const event of chaukas.query({ sessionId: session.id }, { order: "asc" })) {
    const side = event.metadata?.side === undefined ? "" : ` [${String(event.metadata.side)}]`;
    rows.push(`${EventType[event.type]}${event.agentId ? ` ${event.agentId}` : ""}${side}`);
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
