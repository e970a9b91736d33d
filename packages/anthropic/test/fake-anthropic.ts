// A local stand-in for the Anthropic Messages API on loopback: messages as JSON or server-sent
// events like the real API (text, thinking and tool_use blocks, cache and thinking token
// counts), with scripted failures (an error status with its headers, an error event in the
// middle of a stream). No network, no key.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A scripted answer to the next request instead of the usual one. */
export interface ScriptedFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly error?: { type: string; message: string };
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL` (the SDK adds `/v1/messages`). */
  readonly url: string;
  /** Each request's path and body, in order. */
  readonly requests: { path: string; body: Record<string, unknown> }[];
  /** Answers the next requests with these failures, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

export const USAGE = {
  input_tokens: 12,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 200,
  output_tokens: 7,
  output_tokens_details: { thinking_tokens: 3 },
};

/** Models with their own behaviour: thinking then a tool use, or an error mid-stream. */
export const TOOL_MODEL = "claude-fake-tools";
export const OVERLOADED_STREAM_MODEL = "claude-fake-overloaded";

type Block = Record<string, unknown>;

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: FakeAnthropic["requests"] = [];
  const failures: ScriptedFailure[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      requests.push({ path: req.url ?? "", body });
      const failure = failures.shift();
      if (failure) {
        sendJson(
          res,
          failure.status,
          { type: "error", error: failure.error ?? { type: "api_error", message: "failed" } },
          failure.headers,
        );
      } else if (body.stream) {
        sendStream(res, body);
      } else {
        sendJson(res, 200, message(body, blocksFor(String(body.model)), USAGE));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (...next) => {
      failures.push(...next);
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
  return text === "" ? {} : JSON.parse(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_${Math.random().toString(36).slice(2)}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function blocksFor(model: string): Block[] {
  if (model === TOOL_MODEL) {
    return [
      { type: "thinking", thinking: "The user wants the weather.", signature: "sig-1" },
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
    ];
  }
  return [{ type: "text", text: "Hello from the fake API." }];
}

function message(body: Record<string, unknown>, content: Block[], usage: unknown) {
  const model = String(body.model);
  return {
    id: "msg_fake1",
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: model === TOOL_MODEL ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage,
  };
}

function sendStream(res: ServerResponse, body: Record<string, unknown>) {
  res.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_stream" });
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const model = String(body.model);
  const start = message(body, [], { ...USAGE, output_tokens: 1 });
  send("message_start", { message: { ...start, stop_reason: null } });
  send("ping", {});
  if (model === TOOL_MODEL) {
    send("content_block_start", {
      index: 0,
      content_block: { type: "thinking", thinking: "", signature: "" },
    });
    send("content_block_delta", {
      index: 0,
      delta: { type: "thinking_delta", thinking: "The user wants " },
    });
    send("content_block_delta", {
      index: 0,
      delta: { type: "thinking_delta", thinking: "the weather." },
    });
    send("content_block_delta", {
      index: 0,
      delta: { type: "signature_delta", signature: "sig-1" },
    });
    send("content_block_stop", { index: 0 });
    send("content_block_start", {
      index: 1,
      content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
    });
    send("content_block_delta", {
      index: 1,
      delta: { type: "input_json_delta", partial_json: '{"city":' },
    });
    send("content_block_delta", {
      index: 1,
      delta: { type: "input_json_delta", partial_json: '"Paris"}' },
    });
    send("content_block_stop", { index: 1 });
  } else {
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    send("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hello " } });
    send("content_block_delta", { index: 0, delta: { type: "text_delta", text: "stream." } });
    if (model === OVERLOADED_STREAM_MODEL) {
      send("error", { error: { type: "overloaded_error", message: "Overloaded" } });
      res.end();
      return;
    }
    send("content_block_stop", { index: 0 });
  }
  send("message_delta", {
    delta: { stop_reason: model === TOOL_MODEL ? "tool_use" : "end_turn", stop_sequence: null },
    usage: { output_tokens: USAGE.output_tokens },
  });
  send("message_stop", {});
  res.end();
}
