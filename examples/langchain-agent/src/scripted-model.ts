// A chat model that answers from a script, as a provider's would (usage, finish reason, tool
// calls): no network, no API key. Each call returns the next reply.
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type ToolCall } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";

export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCall[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export class ScriptedChatModel extends BaseChatModel {
  readonly #script: readonly ScriptedReply[];
  #next = 0;

  constructor(
    readonly modelName: string,
    script: readonly ScriptedReply[],
  ) {
    super({});
    this.#script = script;
  }

  _llmType(): string {
    return "scripted";
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return {
      ...super.getLsParams(options),
      ls_provider: "scripted",
      ls_model_name: this.modelName,
    };
  }

  override bindTools(tools: BindToolsInput[]) {
    return this.withConfig({
      tools: tools.map((tool) => convertToOpenAITool(tool)),
    } as Partial<BaseChatModelCallOptions>);
  }

  async _generate(): Promise<ChatResult> {
    const reply = this.#script[this.#next++];
    if (reply === undefined) throw new Error(`the script of ${this.modelName} has no reply left`);
    // `usage_metadata` is set after construction: for the default message structure, the
    // constructor's type (@langchain/core 1.5) leaves it out under exactOptionalPropertyTypes.
    const message = Object.assign(
      new AIMessage({
        content: reply.text ?? "",
        tool_calls: [...(reply.toolCalls ?? [])],
        response_metadata: {
          finish_reason: reply.toolCalls ? "tool_calls" : "stop",
          model_name: this.modelName,
        },
      }),
      {
        usage_metadata: {
          input_tokens: reply.inputTokens,
          output_tokens: reply.outputTokens,
          total_tokens: reply.inputTokens + reply.outputTokens,
        },
      },
    );
    return { generations: [{ text: reply.text ?? "", message }] };
  }
}
