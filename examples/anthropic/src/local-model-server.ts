// A scripted Messages API server on loopback, so the example runs without a key or the
// network: asked about the weather, the model thinks and uses the `get_weather` tool; given the
// tool's result, it streams the answer.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalModelServer {
  readonly url: string;
  close(): Promise<void>;
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: output,
});

export async function startLocalModelServer(): Promise<LocalModelServer> {
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || "{}");
    const messages: { role: string; content: unknown }[] = body.messages ?? [];
    const last = messages.at(-1)?.content;
    const toolResult = Array.isArray(last)
      ? (last as { type: string; content?: string }[]).find((b) => b.type === "tool_result")
      : undefined;
    const message = (content: unknown[], stop: string, input: number, output: number) => ({
      id: toolResult ? "msg_local_2" : "msg_local_1",
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: usage(input, output),
    });
    if (!toolResult) {
      return json(
        res,
        message(
          [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
          "tool_use",
          48,
          16,
        ),
      );
    }
    const { sky, celsius } = JSON.parse(toolResult.content ?? "{}");
    const answer = `It is ${sky} in Paris, ${celsius} °C.`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (type: string, data: object) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send("message_start", { message: message([], "", 91, 1) });
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    for (const word of answer.split(/(?<= )/)) {
      send("content_block_delta", { index: 0, delta: { type: "text_delta", text: word } });
    }
    send("content_block_stop", { index: 0 });
    send("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 12 },
    });
    send("message_stop", {});
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
