// Scripted answers for the AI SDK's own mock model (`MockLanguageModelV4` from `ai/test`): a
// first step that calls a tool, a second that answers in text. No network, no API key.
import { simulateReadableStream } from "ai";
import { MockLanguageModelV4 } from "ai/test";

type GenerateResult = Awaited<ReturnType<MockLanguageModelV4["doGenerate"]>>;
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV4["doStream"]>>["stream"] extends ReadableStream<infer P>
    ? P
    : never;

/** Token usage every scripted step reports: 10 prompt, 5 completion tokens. */
export const STEP_USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

export interface ToolCallScript {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: Record<string, unknown>;
}

/** A model that calls `toolCall` in its first step and answers `answer` in its second. */
export function toolThenAnswerModel(toolCall: ToolCallScript, answer: string): MockLanguageModelV4 {
  const steps: GenerateResult[] = [
    {
      content: [{ type: "tool-call", ...toolCall, input: JSON.stringify(toolCall.input) }],
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage: STEP_USAGE,
      response: { id: "response-1" },
      warnings: [],
    },
    {
      content: [{ type: "text", text: answer }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: STEP_USAGE,
      response: { id: "response-2" },
      warnings: [],
    },
  ];
  return new MockLanguageModelV4({ doGenerate: steps });
}

/** The same two steps streamed chunk by chunk (`simulateReadableStream`). */
export function streamedToolThenAnswerModel(
  toolCall: ToolCallScript,
  answer: string,
): MockLanguageModelV4 {
  const finish = (unified: "tool-calls" | "stop"): StreamPart => ({
    type: "finish",
    finishReason: { unified, raw: unified },
    usage: STEP_USAGE,
  });
  const toolStep: StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", id: "response-1" },
    { type: "tool-call", ...toolCall, input: JSON.stringify(toolCall.input) },
    finish("tool-calls"),
  ];
  const words = answer.split(/(?<= )/);
  const answerStep: StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", id: "response-2" },
    { type: "text-start", id: "text-1" },
    ...words.map((delta): StreamPart => ({ type: "text-delta", id: "text-1", delta })),
    { type: "text-end", id: "text-1" },
    finish("stop"),
  ];
  return new MockLanguageModelV4({
    doStream: [toolStep, answerStep].map((chunks) => ({
      stream: simulateReadableStream({ chunks }),
    })),
  });
}

/** A model whose provider call fails, as an unreachable provider's would. */
export function failingModel(error: Error): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: async () => {
      throw error;
    },
  });
}
