// A chat model for the tests that answers from a script, as a provider's would: each call
// returns the next scripted reply, with the usage and finish reason a provider reports, its
// tool calls, and chunk by chunk when streamed. No network, no key.
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  type ToolCall,
  type UsageMetadata,
} from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";

/** One reply of the script. */
export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCall[];
  readonly usage: UsageMetadata;
  /** As the provider reports it (`response_metadata.finish_reason`). Default: "stop", or "tool_calls". */
  readonly finishReason?: string;
}

/** Usage as providers report it: input, output, and optional cache-read and reasoning tokens. */
export function usage(input: number, output: number, cacheRead = 0, reasoning = 0): UsageMetadata {
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    ...(cacheRead > 0 ? { input_token_details: { cache_read: cacheRead } } : {}),
    ...(reasoning > 0 ? { output_token_details: { reasoning } } : {}),
  };
}

export class ScriptedChatModel extends BaseChatModel {
  readonly #script: readonly ScriptedReply[];
  readonly #modelName: string;
  #next = 0;

  constructor(modelName: string, script: readonly ScriptedReply[]) {
    super({});
    this.#modelName = modelName;
    this.#script = script;
  }

  _llmType(): string {
    return "scripted";
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return {
      ...super.getLsParams(options),
      ls_provider: "scripted",
      ls_model_name: this.#modelName,
      ls_temperature: 0.2,
    };
  }

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({
      tools: tools.map((tool) => convertToOpenAITool(tool)),
    } as Partial<BaseChatModelCallOptions>);
  }

  #take(): ScriptedReply {
    const reply = this.#script[this.#next];
    if (reply === undefined) throw new Error(`the script of ${this.#modelName} has no reply left`);
    this.#next++;
    return reply;
  }

  #metadata(reply: ScriptedReply) {
    const finishReason = reply.finishReason ?? (reply.toolCalls ? "tool_calls" : "stop");
    return { finish_reason: finishReason, model_name: this.#modelName };
  }

  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    const reply = this.#take();
    // Set after construction: under exactOptionalPropertyTypes, @langchain/core 1.5's
    // constructor type infers `usage_metadata` as `undefined` for the default structure.
    const message = Object.assign(
      new AIMessage({
        content: reply.text ?? "",
        tool_calls: [...(reply.toolCalls ?? [])],
        response_metadata: this.#metadata(reply),
      }),
      { usage_metadata: reply.usage },
    );
    return { generations: [{ text: reply.text ?? "", message }] };
  }

  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const reply = this.#take();
    const words = (reply.text ?? "").split(/(?<= )/).filter((word) => word !== "");
    for (const word of words) {
      const chunk = new ChatGenerationChunk({
        text: word,
        message: new AIMessageChunk({ content: word }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(word, undefined, undefined, undefined, undefined, {
        chunk,
      });
    }
    yield new ChatGenerationChunk({
      text: "",
      message: Object.assign(
        new AIMessageChunk({
          content: "",
          tool_call_chunks: (reply.toolCalls ?? []).map((call, index) => ({
            ...(call.id === undefined ? {} : { id: call.id }),
            name: call.name,
            args: JSON.stringify(call.args),
            index,
            type: "tool_call_chunk" as const,
          })),
          response_metadata: this.#metadata(reply),
        }),
        { usage_metadata: reply.usage },
      ),
    });
  }
}
