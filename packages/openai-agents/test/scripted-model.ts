import {
  type AgentOutputItem,
  createGenerationSpan,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type protocol,
  Usage,
  withGenerationSpan,
} from "@openai/agents-core";

/** One scripted answer: what the model outputs for a request, and the tokens it "used". */
export interface ScriptedTurn {
  readonly output: (request: ModelRequest) => AgentOutputItem[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * A fake model on the SDK's own `Model` interface: it answers from a script, without network.
 * Like the SDK's OpenAI models, it records each call in a `generation` span (model, settings,
 * input and output when the run records sensitive data, usage), which is what a tracing
 * processor sees of a real model. Streamed calls too.
 */
export function createScriptedModel(
  name: string,
  turns: readonly ScriptedTurn[],
): Model & { readonly requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];

  function answer(request: ModelRequest): { turn: ScriptedTurn; response: ModelResponse } {
    const turn = turns[requests.length];
    requests.push(request);
    if (turn === undefined)
      throw new Error(`${name}: no scripted answer for call ${requests.length}`);
    const response: ModelResponse = {
      output: turn.output(request),
      usage: new Usage({
        requests: 1,
        inputTokens: turn.inputTokens,
        outputTokens: turn.outputTokens,
        totalTokens: turn.inputTokens + turn.outputTokens,
      }),
      responseId: `resp_${name}_${requests.length}`,
    };
    return { turn, response };
  }

  return {
    requests,
    async getResponse(request) {
      if (request.tracing === false) return answer(request).response;
      return withGenerationSpan(
        async (span) => {
          span.spanData.model_config = { temperature: request.modelSettings.temperature };
          if (request.tracing === true) {
            span.spanData.input = [
              { role: "system", content: request.systemInstructions ?? "" },
              ...(typeof request.input === "string"
                ? [{ role: "user", content: request.input }]
                : request.input),
            ];
          }
          const { turn, response } = answer(request);
          if (request.tracing === true) span.spanData.output = response.output;
          span.spanData.usage = {
            input_tokens: turn.inputTokens,
            output_tokens: turn.outputTokens,
          };
          return response;
        },
        { data: { model: name } },
      );
    },
    // Streamed as the SDK's models stream: a generation span around the stream, the
    // complete response in `response_done`.
    async *getStreamedResponse(request) {
      const span =
        request.tracing === false ? undefined : createGenerationSpan({ data: { model: name } });
      span?.start();
      try {
        const { turn, response } = answer(request);
        yield { type: "response_started" };
        if (span !== undefined) {
          span.spanData.usage = {
            input_tokens: turn.inputTokens,
            output_tokens: turn.outputTokens,
          };
          if (request.tracing === true) span.spanData.output = response.output;
        }
        yield {
          type: "response_done",
          response: {
            id: response.responseId ?? "",
            usage: {
              requests: 1,
              inputTokens: turn.inputTokens,
              outputTokens: turn.outputTokens,
              totalTokens: turn.inputTokens + turn.outputTokens,
            },
            // A script outputs only what a model can (messages, tool calls, handoffs), which
            // `AgentOutputItem` does not narrow down to.
            output: response.output as protocol.StreamEventResponseCompleted["response"]["output"],
          },
        };
      } finally {
        span?.end();
      }
    },
  };
}
