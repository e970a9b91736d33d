// A stand-in for an LLM, so the example runs without an API key or network: a `Model` (the
// SDK's own interface) that answers from a script and, like the SDK's OpenAI models, records
// each call in a `generation` span with its input, output and token usage.
import {
  type AgentOutputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Usage,
  withGenerationSpan,
} from "@openai/agents";

/** One scripted answer and the tokens it "used". */
export interface ScriptedAnswer {
  readonly output: (request: ModelRequest) => AgentOutputItem[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export function assistantText(text: string): AgentOutputItem {
  return {
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text }],
  };
}

export function toolCall(name: string, args: object, callId: string): AgentOutputItem {
  return {
    type: "function_call",
    name,
    arguments: JSON.stringify(args),
    callId,
    status: "completed",
  };
}

export function createScriptedModel(name: string, answers: readonly ScriptedAnswer[]): Model {
  let calls = 0;
  return {
    async getResponse(request) {
      const answer = answers[calls++];
      if (answer === undefined) throw new Error(`${name}: no scripted answer for call ${calls}`);
      const respond = (): ModelResponse => ({
        output: answer.output(request),
        usage: new Usage({
          requests: 1,
          inputTokens: answer.inputTokens,
          outputTokens: answer.outputTokens,
          totalTokens: answer.inputTokens + answer.outputTokens,
        }),
      });
      if (request.tracing === false) return respond();
      return withGenerationSpan(
        async (span) => {
          const response = respond();
          // Content only when the run records sensitive data, as the SDK's models do.
          if (request.tracing === true) {
            span.spanData.input = [
              { role: "system", content: request.systemInstructions ?? "" },
              ...(typeof request.input === "string"
                ? [{ role: "user", content: request.input }]
                : request.input),
            ];
            span.spanData.output = response.output;
          }
          span.spanData.usage = {
            input_tokens: answer.inputTokens,
            output_tokens: answer.outputTokens,
          };
          return response;
        },
        { data: { model: name } },
      );
    },
    // biome-ignore lint/correctness/useYield: the example does not stream.
    async *getStreamedResponse() {
      throw new Error(`${name}: streaming is not scripted`);
    },
  };
}
