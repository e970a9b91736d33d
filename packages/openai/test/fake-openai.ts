// A local stand-in for the OpenAI API on loopback: chat completions, responses and embeddings,
// as JSON or server-sent events like the real API, with scripted failures (an error status with
// its headers, an error in the middle of a stream). No network, no key.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A scripted answer to the next request instead of the usual one. */
export interface ScriptedFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly error?: { message: string; type: string; code?: string | null; param?: string | null };
}

export interface FakeOpenAI {
  /** Base URL for the SDK's `baseURL` (ends in `/v1`). */
  readonly url: string;
  /** Each request's path and body, in order. */
  readonly requests: { path: string; body: Record<string, unknown> }[];
  /** Answers the next requests with these failures, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

export const USAGE = {
  prompt_tokens: 21,
  completion_tokens: 9,
  total_tokens: 30,
  prompt_tokens_details: { cached_tokens: 8 },
  completion_tokens_details: { reasoning_tokens: 4 },
};

export const RESPONSE_USAGE = {
  input_tokens: 17,
  input_tokens_details: { cached_tokens: 5, cache_write_tokens: 0 },
  output_tokens: 6,
  output_tokens_details: { reasoning_tokens: 2 },
  total_tokens: 23,
};

/** Models with their own behaviour: asking for a tool, or an error in the middle of a stream. */
export const TOOL_MODEL = "gpt-fake-tools";
export const BROKEN_STREAM_MODEL = "gpt-fake-broken-stream";
export const FAILED_RESPONSE_MODEL = "gpt-fake-failed-response";

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: FakeOpenAI["requests"] = [];
  const failures: ScriptedFailure[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      const path = (req.url ?? "").replace(/^\/v1/, "");
      requests.push({ path, body });
      const failure = failures.shift();
      if (failure) return sendFailure(res, failure);
      if (path === "/chat/completions") return chat(res, body);
      if (path === "/responses") return response(res, body);
      if (path === "/embeddings") return embedding(res, body);
      sendFailure(res, { status: 404, error: { message: "no such route", type: "not_found" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
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

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-request-id": `req_${Math.random().toString(36).slice(2)}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendFailure(res: ServerResponse, failure: ScriptedFailure): void {
  sendJson(
    res,
    failure.status,
    { error: failure.error ?? { message: `status ${failure.status}`, type: "server_error" } },
    failure.headers,
  );
}

/** Server-sent events, one `data:` line each (and an `event:` line when named). */
function sendEvents(res: ServerResponse, events: readonly (readonly [string | null, unknown])[]) {
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req_stream" });
  for (const [name, data] of events) {
    if (name) res.write(`event: ${name}\n`);
    res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function chat(res: ServerResponse, body: Record<string, unknown>) {
  const model = String(body.model);
  const id = "chatcmpl-fake1";
  const toolCall = {
    id: "call_weather_1",
    type: "function",
    function: { name: "get_weather", arguments: '{"city":"Paris"}' },
  };
  if (!body.stream) {
    const message =
      model === TOOL_MODEL
        ? { role: "assistant", content: null, refusal: null, tool_calls: [toolCall] }
        : { role: "assistant", content: "Hello from the fake API.", refusal: null };
    return sendJson(res, 200, {
      id,
      object: "chat.completion",
      created: 1_700_000_000,
      model: `${model}-2026-01-01`,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: model === TOOL_MODEL ? "tool_calls" : "stop",
        },
      ],
      usage: USAGE,
    });
  }
  const chunk = (delta: unknown, finish: string | null = null, usage?: unknown) => ({
    id,
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model,
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  });
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)
    ?.include_usage;
  const events: [string | null, unknown][] = [[null, chunk({ role: "assistant", content: "" })]];
  if (model === TOOL_MODEL) {
    events.push(
      [
        null,
        chunk({
          tool_calls: [
            {
              index: 0,
              id: toolCall.id,
              type: "function",
              function: { name: "get_weather", arguments: "" },
            },
          ],
        }),
      ],
      [null, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })],
      [null, chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })],
      [null, chunk({}, "tool_calls")],
    );
  } else {
    events.push([null, chunk({ content: "Hello " })], [null, chunk({ content: "stream." })]);
    if (model === BROKEN_STREAM_MODEL) {
      events.push([
        null,
        { error: { message: "the server broke the stream", type: "server_error" } },
      ]);
    } else {
      events.push([null, chunk({}, "stop")]);
    }
  }
  if (includeUsage) events.push([null, chunk({}, null, USAGE)]);
  events.push([null, "[DONE]"]);
  sendEvents(res, events);
}

function response(res: ServerResponse, body: Record<string, unknown>) {
  const model = String(body.model);
  const failed = model === FAILED_RESPONSE_MODEL;
  const output = [
    {
      type: "function_call",
      id: "fc_1",
      call_id: "call_lookup_1",
      name: "lookup_order",
      arguments: '{"order":"A-17"}',
      status: "completed",
    },
    {
      type: "message",
      id: "msg_1",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: "Your order ships today.", annotations: [] }],
    },
  ];
  const whole = {
    id: "resp_fake1",
    object: "response",
    created_at: 1_700_000_000,
    model: `${model}-2026-01-01`,
    status: failed ? "failed" : "completed",
    error: failed ? { code: "server_error", message: "the model failed" } : null,
    incomplete_details: null,
    output: failed ? [] : output,
    temperature: body.temperature ?? 1,
    top_p: 1,
    max_output_tokens: body.max_output_tokens ?? null,
    usage: RESPONSE_USAGE,
  };
  if (!body.stream) return sendJson(res, 200, whole);
  const inProgress = { ...whole, status: "in_progress", output: [], usage: null };
  const events: [string | null, unknown][] = [
    ["response.created", { type: "response.created", sequence_number: 0, response: inProgress }],
  ];
  if (!failed) {
    const [call, message] = output as unknown as [Record<string, unknown>, Record<string, unknown>];
    const text = (delta: string, sequence_number: number) => ({
      type: "response.output_text.delta",
      sequence_number,
      item_id: "msg_1",
      output_index: 1,
      content_index: 0,
      delta,
      logprobs: [],
    });
    events.push(
      [
        "response.output_item.added",
        { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: call },
      ],
      [
        "response.output_item.done",
        { type: "response.output_item.done", sequence_number: 2, output_index: 0, item: call },
      ],
      [
        "response.output_item.added",
        {
          type: "response.output_item.added",
          sequence_number: 3,
          output_index: 1,
          item: { ...message, status: "in_progress", content: [] },
        },
      ],
      [
        "response.content_part.added",
        {
          type: "response.content_part.added",
          sequence_number: 4,
          item_id: "msg_1",
          output_index: 1,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        },
      ],
      ["response.output_text.delta", text("Your order ", 5)],
      ["response.output_text.delta", text("ships today.", 6)],
    );
  }
  const final = failed ? "response.failed" : "response.completed";
  events.push([final, { type: final, sequence_number: 7, response: whole }]);
  sendEvents(res, events);
}

function embedding(res: ServerResponse, body: Record<string, unknown>): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = [0.25, -0.5, 0.75];
  const encode = (values: number[]) =>
    body.encoding_format === "base64"
      ? Buffer.from(new Float32Array(values).buffer).toString("base64")
      : values;
  sendJson(res, 200, {
    object: "list",
    model: `${String(body.model)}-v2`,
    data: inputs.map((_, index) => ({ object: "embedding", index, embedding: encode(vector) })),
    usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
  });
}
