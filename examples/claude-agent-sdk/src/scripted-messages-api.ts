// A scripted Messages API on loopback for the Claude Agent SDK's bundled CLI
// (ANTHROPIC_BASE_URL), scripted as a model would answer an agent: each turn answers with the
// next step of `script` (text, then tool uses), read from how many tool results the
// conversation has. Server-sent events, as the CLI asks for; scripted failures before a turn.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One model turn: its text and the tools it asks for. */
export interface ScriptedTurn {
  readonly text: string;
  readonly toolUses?: readonly { id: string; name: string; input: Record<string, unknown> }[];
}

export interface FakeAgentApi {
  /** For ANTHROPIC_BASE_URL. */
  readonly url: string;
  /** The conversation turns (requests with `messages`), in order. */
  readonly requests: Record<string, unknown>[];
  /** Answers the next requests with these statuses (and `retry-after-ms: 1`), in order. */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export const TURN_USAGE = {
  input_tokens: 40,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 500,
  output_tokens: 12,
};

export async function startFakeAgentApi(script: readonly ScriptedTurn[]): Promise<FakeAgentApi> {
  const requests: Record<string, unknown>[] = [];
  const failures: number[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      if (!req.url?.startsWith("/v1/messages") || !Array.isArray(body.messages)) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ type: "error", error: { type: "not_found_error", message: req.url } }),
        );
        return;
      }
      requests.push(body);
      const failure = failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure, { "content-type": "application/json", "retry-after-ms": "1" });
        res.end(
          JSON.stringify({
            type: "error",
            error: { type: "overloaded_error", message: "Overloaded" },
          }),
        );
        return;
      }
      const turn = script[
        Math.min(toolResultsIn(body.messages), script.length - 1)
      ] as ScriptedTurn;
      sendTurn(res, String(body.model), turn, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (...statuses) => {
      failures.push(...statuses);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += chunk;
  try {
    return text === "" ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

/** How many tool results the conversation carries: which step of the script comes next. */
function toolResultsIn(messages: unknown[]): number {
  let count = 0;
  for (const message of messages as { role?: string; content?: unknown }[]) {
    if (message.role !== "user" || !Array.isArray(message.content)) continue;
    if (message.content.some((block: { type?: string }) => block.type === "tool_result")) count++;
  }
  return count;
}

function sendTurn(res: ServerResponse, model: string, turn: ScriptedTurn, n: number) {
  res.writeHead(200, { "content-type": "text/event-stream", "request-id": `req_${n}` });
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const toolUses = turn.toolUses ?? [];
  send("message_start", {
    message: {
      id: `msg_turn_${n}`,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...TURN_USAGE, output_tokens: 1 },
    },
  });
  send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
  send("content_block_delta", { index: 0, delta: { type: "text_delta", text: turn.text } });
  send("content_block_stop", { index: 0 });
  toolUses.forEach((use, i) => {
    const index = i + 1;
    send("content_block_start", {
      index,
      content_block: { type: "tool_use", id: use.id, name: use.name, input: {} },
    });
    send("content_block_delta", {
      index,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(use.input) },
    });
    send("content_block_stop", { index });
  });
  send("message_delta", {
    delta: { stop_reason: toolUses.length > 0 ? "tool_use" : "end_turn", stop_sequence: null },
    usage: { output_tokens: TURN_USAGE.output_tokens },
  });
  send("message_stop", {});
  res.end();
}
