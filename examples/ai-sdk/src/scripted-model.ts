// The AI SDK's own mock model (`ai/test`), scripted like a real one: no network, no API key.
// Step 1 asks for the weather tool, step 2 answers with its result; the streamed model does
// the same chunk by chunk.
import { simulateReadableStream } from "ai";
import { MockLanguageModelV4 } from "ai/test";

type GenerateResult = Awaited<ReturnType<MockLanguageModelV4["doGenerate"]>>;
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV4["doStream"]>>["stream"] extends ReadableStream<infer P>
    ? P
    : never;

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

const weatherCall = (city: string) => ({
  type: "tool-call" as const,
  toolCallId: `call-${city.toLowerCase()}`,
  toolName: "weather",
  input: JSON.stringify({ city }),
});

/** Answers "weather in <city>?" by calling the weather tool, then with `answer`. */
export function weatherModel(city: string, answer: string): MockLanguageModelV4 {
  const steps: GenerateResult[] = [
    {
      content: [weatherCall(city)],
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage: usage(52, 14),
      warnings: [],
    },
    {
      content: [{ type: "text", text: answer }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: usage(87, 11),
      warnings: [],
    },
  ];
  return new MockLanguageModelV4({ modelId: "scripted-weather", doGenerate: steps });
}

/** The same conversation, streamed. */
export function streamingWeatherModel(city: string, answer: string): MockLanguageModelV4 {
  const finish = (unified: "tool-calls" | "stop", input: number, output: number): StreamPart => ({
    type: "finish",
    finishReason: { unified, raw: unified },
    usage: usage(input, output),
  });
  const steps: StreamPart[][] = [
    [{ type: "stream-start", warnings: [] }, weatherCall(city), finish("tool-calls", 52, 14)],
    [
      { type: "stream-start", warnings: [] },
      { type: "text-start", id: "t" },
      ...answer
        .split(/(?<= )/)
        .map((delta): StreamPart => ({ type: "text-delta", id: "t", delta })),
      { type: "text-end", id: "t" },
      finish("stop", 87, 11),
    ],
  ];
  return new MockLanguageModelV4({
    modelId: "scripted-weather-stream",
    doStream: steps.map((chunks) => ({
      stream: simulateReadableStream({ chunks, chunkDelayInMs: 5 }),
    })),
  });
}
