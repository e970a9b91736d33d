// A scripted OpenAI-compatible server on loopback, so the example runs without a key or the
// network: asked about the weather, it calls the `get_weather` tool; given the tool's result,
// it streams the answer. Embeddings are three numbers per input.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalModelServer {
  readonly url: string;
  close(): Promise<void>;
}

const usage = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

export async function startLocalModelServer(): Promise<LocalModelServer> {
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || "{}");
    if (req.url?.endsWith("/embeddings")) {
      const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
      return json(res, {
        object: "list",
        model: body.model,
        data: inputs.map((_, index) => ({
          object: "embedding",
          index,
          embedding: [0.1, 0.2, 0.3],
        })),
        usage: { prompt_tokens: 3 * inputs.length, total_tokens: 3 * inputs.length },
      });
    }
    const messages: { role: string; content?: string }[] = body.messages ?? [];
    const toolResult = messages.find((m) => m.role === "tool");
    if (!toolResult) {
      return json(res, {
        id: "chatcmpl-local-1",
        object: "chat.completion",
        created: 0,
        model: body.model,
        choices: [
          {
            index: 0,
            finish_reason: "tool_calls",
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "call_1",
                  type: "function",
                  function: { name: "get_weather", arguments: '{"city":"Paris"}' },
                },
              ],
            },
          },
        ],
        usage: usage(52, 14),
      });
    }
    const { sky, celsius } = JSON.parse(toolResult.content ?? "{}");
    const answer = `It is ${sky} in Paris, ${celsius} °C.`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id: "chatcmpl-local-2",
        object: "chat.completion.chunk",
        created: 0,
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      })}\n\n`;
    for (const word of answer.split(/(?<= )/)) res.write(chunk({ content: word }, null));
    res.write(chunk({}, "stop"));
    res.write(
      `data: ${JSON.stringify({ id: "chatcmpl-local-2", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: usage(87, 11) })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
