import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { type ModelStartInfo, modelResultOf, modelStartOf } from "./model-run.js";

const openAiStart: ModelStartInfo = {
  serialized: {
    lc: 1,
    type: "constructor",
    id: ["langchain", "chat_models", "openai", "ChatOpenAI"],
    kwargs: {},
  },
  input: { messages: [new HumanMessage("Hi there")] },
  extraParams: {
    invocation_params: {
      model: "gpt-4o-mini",
      temperature: 0.1,
      max_completion_tokens: 256,
      top_p: 0.9,
    },
  },
  metadata: { ls_provider: "openai", ls_model_name: "gpt-4o-mini" },
  runName: undefined,
};

describe("a model run's START", () => {
  it("reads provider, model and settings from ls_* metadata and the invocation params", () => {
    expect(modelStartOf(openAiStart, true)).toEqual({
      provider: "openai",
      model: "gpt-4o-mini",
      temperature: 0.1,
      maxTokens: 256,
      topP: 0.9,
      request: { messages: [{ role: "human", content: "Hi there" }] },
    });
    expect(modelStartOf(openAiStart, false)).not.toHaveProperty("request");
  });

  it("falls back to the serialized model, and records an LLM's prompts", () => {
    const start = modelStartOf(
      {
        serialized: {
          lc: 1,
          type: "not_implemented",
          id: ["langchain", "llms", "fake", "FakeLLM"],
        },
        input: { prompts: ["Say hi"] },
        extraParams: {},
        metadata: {},
        runName: undefined,
      },
      true,
    );
    expect(start).toEqual({ provider: "fake", model: "FakeLLM", request: { prompts: ["Say hi"] } });
  });
});

describe("a model run's END", () => {
  const timing = { startMs: 1000, firstTokenMs: undefined };

  it("takes tokens, cache and reasoning details, finish reason and tool calls from the message", () => {
    const message = Object.assign(
      new AIMessage({
        content: "",
        tool_calls: [{ id: "call_1", name: "search", args: { q: "x" }, type: "tool_call" }],
        response_metadata: { stop_reason: "tool_use", id: "msg_01" },
      }),
      {
        usage_metadata: {
          input_tokens: 100,
          output_tokens: 20,
          total_tokens: 120,
          input_token_details: { cache_read: 64, cache_creation: 8 },
          output_token_details: { reasoning: 12 },
        },
      },
    );
    const result = modelResultOf(
      { generations: [[{ text: "", message } as never]] },
      { startMs: 1000, firstTokenMs: 1250 },
      true,
    );
    expect(result).toMatchObject({
      promptTokens: 100,
      completionTokens: 20,
      totalTokens: 120,
      finishReason: "tool_use",
      responseId: "msg_01",
      metadata: {
        cache_read_tokens: 64,
        cache_creation_tokens: 8,
        reasoning_tokens: 12,
        time_to_first_token_ms: 250,
        tool_calls: [{ id: "call_1", name: "search" }],
      },
      response: { content: "", tool_calls: [{ id: "call_1", name: "search", args: { q: "x" } }] },
    });
  });

  it("falls back to the provider's llmOutput.tokenUsage, and drops counts the client would refuse", () => {
    const result = modelResultOf(
      {
        generations: [[{ text: "plain completion", generationInfo: { finish_reason: "length" } }]],
        llmOutput: { tokenUsage: { promptTokens: 7, completionTokens: -1, totalTokens: 7.5 } },
      },
      timing,
      false,
    );
    expect(result).toEqual({ promptTokens: 7, finishReason: "length" });
  });
});
