/**
 * One `query()` of the Claude Agent SDK as it is recorded: its session (the SDK's session id),
 * the model calls of its assistant messages, the tool, MCP and subagent spans of its hooks, the
 * prompt, permission decisions and retries, and SESSION_END with the result's cost and usage.
 */

import { messagesOperation } from "@chaukas/anthropic";
import type {
  AgentHandle,
  ChaukasClient,
  ErrorInit,
  JsonInput,
  McpCallHandle,
  SessionHandle,
  SpanScope,
  ToolCallHandle,
} from "@chaukas/client";
import {
  type ContentCapture,
  fieldsOf,
  finiteNumber,
  type IntegrationGuard,
  nonEmptyString,
  omitUndefined,
  tokenCount,
  toLenientJsonObject,
} from "@chaukas/client/integration";
import { Severity } from "@chaukas/spec/common/v1";
import { mcpToolOf } from "./mcp-tool-name.js";

type Fields = Readonly<Record<string, unknown>>;

/** An assistant turn being assembled: the SDK sends one message per content block. */
interface Turn {
  readonly id: string;
  readonly startMs: number;
  /** When its last message was read. */
  endMs: number;
  readonly parentToolUseId: string | undefined;
  readonly blocks: unknown[];
  message: Fields;
  error: unknown;
}

/** What a recorder is made with. */
export interface QueryRecorderSettings {
  readonly chaukas: ChaukasClient;
  readonly capture: ContentCapture;
  readonly agentId: string;
  readonly guard: IntegrationGuard<string>;
}

export class QueryRecorder {
  readonly #settings: QueryRecorderSettings;
  #session: SessionHandle | undefined;
  readonly #agents = new Map<string, AgentHandle>();
  readonly #tools = new Map<string, ToolCallHandle | McpCallHandle>();
  #turn: Turn | undefined;
  /**
   * When the last message was read or the last hook ran: a model call starts after what came
   * before it.
   */
  #lastBoundaryMs = Date.now();
  /** When each tool's PreToolUse ran: the model call that asked for it had ended by then. */
  readonly #toolStartMs = new Map<string, number>();
  /**
   * Hooks that ran before the app read the `system:init` message (the SDK runs hooks as they
   * come, and queues messages until the app reads them): recorded, with their own times, once
   * the session has started with what init says.
   */
  #hooksBeforeInit:
    | { readonly event: string; readonly input: Fields; readonly atMs: number }[]
    | undefined = [];
  #ended = false;

  constructor(settings: QueryRecorderSettings) {
    this.#settings = settings;
  }

  /** A hook's input, from the hook callbacks the integration adds. */
  readonly hook = (input: unknown): void => {
    const fields = fieldsOf(input);
    const event = String(fields.hook_event_name);
    const atMs = Date.now();
    this.#settings.guard.run(event, undefined, () => {
      if (this.#hooksBeforeInit !== undefined)
        this.#hooksBeforeInit.push({ event, input: fields, atMs });
      else this.#onHook(event, fields, atMs);
    });
  };

  /** A message of the query's stream, before the app gets it. */
  readonly message = (message: unknown): void => {
    const fields = fieldsOf(message);
    const where = `${String(fields.type)}${fields.subtype ? `:${String(fields.subtype)}` : ""}`;
    this.#settings.guard.run(where, undefined, () => this.#onMessage(fields));
  };

  /**
   * The query's stream ended: after its result (nothing left to do), closed early by the app
   * (`abandoned`), or failed with `error`. What is still open ends failed.
   */
  readonly ended = (error?: unknown, abandoned = false): void => {
    this.#settings.guard.run("end", undefined, () => {
      if (this.#ended) return;
      this.#recordHooksBeforeInit();
      this.#ended = true;
      this.#flushTurn();
      const reason: ErrorInit =
        error === undefined
          ? abandoned
            ? { message: "the app closed the query before its result", code: "abandoned" }
            : { message: "the query ended without a result", code: "no_result" }
          : this.#errorOf(error);
      this.#failOpen(reason);
      if (abandoned) this.#session?.fail(reason, { severity: Severity.WARN });
      else this.#session?.fail(error ?? reason);
    });
  };

  #onHook(event: string, input: Fields, atMs: number): void {
    if (this.#ended) return;
    this.#lastBoundaryMs = atMs;
    const { capture } = this.#settings;
    const scope = this.#scopeOf(input);
    const toolName = String(input.tool_name ?? "unknown");
    const toolUseId = nonEmptyString(input.tool_use_id);
    switch (event) {
      case "UserPromptSubmit":
        scope.inputReceived({
          text: capture.inputs
            ? String(input.prompt ?? "")
            : "(prompt not recorded: recordInputs is false)",
          time: atMs,
          ...(nonEmptyString(input.source) ? { metadata: { source: input.source as string } } : {}),
        });
        return;
      case "PreToolUse": {
        if (toolUseId === undefined) return;
        this.#toolStartMs.set(toolUseId, atMs);
        const args = capture.inputs ? toLenientJsonObject(input.tool_input, "input") : undefined;
        const mcp = mcpToolOf(toolName);
        const span = mcp
          ? scope.mcpCallStart({
              serverName: mcp.server,
              operation: "tools/call",
              request: omitUndefined<JsonInput>({ name: mcp.tool, arguments: args }),
              startTime: atMs,
            })
          : scope.toolCallStart({
              name: toolName,
              id: toolUseId,
              startTime: atMs,
              ...(args === undefined ? {} : { arguments: args }),
            });
        this.#tools.set(toolUseId, span);
        return;
      }
      case "PostToolUse": {
        const span = toolUseId && this.#tools.get(toolUseId);
        if (!span) return;
        this.#tools.delete(toolUseId as string);
        const output = capture.outputs
          ? toLenientJsonObject(input.tool_response, "output")
          : undefined;
        span.end(
          output === undefined ? { endTime: atMs } : { output, response: output, endTime: atMs },
        );
        return;
      }
      case "PostToolUseFailure": {
        const span = toolUseId && this.#tools.get(toolUseId);
        if (!span) return;
        this.#tools.delete(toolUseId as string);
        const interrupted = input.is_interrupt === true;
        span.fail(
          {
            message: capture.outputs
              ? String(input.error ?? "the tool failed")
              : "the tool failed (message not recorded: recordOutputs is false)",
            code: interrupted ? "interrupted" : "tool_error",
          },
          interrupted ? { severity: Severity.WARN, endTime: atMs } : { endTime: atMs },
        );
        return;
      }
      case "SubagentStart": {
        const agentId = nonEmptyString(input.agent_id);
        if (agentId === undefined) return;
        this.#agents.set(
          agentId,
          this.#sessionOf(input).agentStart({
            agentId,
            agentName: nonEmptyString(input.agent_type) ?? agentId,
            startTime: atMs,
          }),
        );
        return;
      }
      case "SubagentStop": {
        const agentId = nonEmptyString(input.agent_id);
        const agent = agentId && this.#agents.get(agentId);
        if (!agent) return;
        this.#agents.delete(agentId as string);
        const last = nonEmptyString(input.last_assistant_message);
        agent.end({
          endTime: atMs,
          ...(capture.outputs && last ? { state: { last_assistant_message: last } } : {}),
        });
        return;
      }
      case "PermissionRequest":
      case "PermissionDenied": {
        const denied = event === "PermissionDenied";
        scope.policyDecision({
          policyId: "claude-code.permissions",
          outcome: denied ? "deny" : "review",
          ruleIds: [toolName],
          rationale: denied
            ? String(input.reason ?? "permission denied")
            : `permission asked to use ${toolName}`,
          metadata: omitUndefined<JsonInput>({ tool_name: toolName, tool_use_id: toolUseId }),
          time: atMs,
        });
        return;
      }
    }
  }

  #onMessage(message: Fields): void {
    if (this.#ended) return;
    const type = message.type;
    if (type === "assistant") {
      this.#addToTurn(message);
    } else {
      this.#flushTurn(type === "result" ? message.stop_reason : undefined);
      if (type === "system" && message.subtype === "init") this.#onInit(message);
      else if (type === "system" && message.subtype === "api_retry") this.#onRetry(message);
      else if (type === "result") this.#onResult(message);
      else if (type === "user") this.#onToolResults(message);
    }
    this.#lastBoundaryMs = Date.now();
  }

  /** SESSION_START with what the query runs with (once: a session seen first by a hook has it in a SYSTEM event). */
  #onInit(init: Fields): void {
    const state = toLenientJsonObject(
      omitUndefined({
        model: init.model,
        cwd: init.cwd,
        tools: init.tools,
        mcp_servers: init.mcp_servers,
        permission_mode: init.permissionMode,
        claude_code_version: init.claude_code_version,
        agents: init.agents,
      }),
    );
    if (this.#session === undefined) {
      this.#sessionOf(init, state, this.#hooksBeforeInit?.[0]?.atMs);
    } else if (state !== undefined) {
      this.#session.system({ state });
    }
    this.#recordHooksBeforeInit();
  }

  #recordHooksBeforeInit(): void {
    const hooks = this.#hooksBeforeInit;
    this.#hooksBeforeInit = undefined;
    for (const { event, input, atMs } of hooks ?? []) {
      this.#settings.guard.run(event, undefined, () => this.#onHook(event, input, atMs));
    }
  }

  #onRetry(retry: Fields): void {
    const status = tokenCount(retry.error_status);
    this.#sessionOf(retry).retry({
      attempt: (tokenCount(retry.attempt) ?? 0) + 1,
      backoffMs: tokenCount(Math.round(finiteNumber(retry.retry_delay_ms) ?? 0)) ?? 0,
      reason: { message: String(retry.error ?? "API error"), ...(status ? { code: status } : {}) },
      metadata: omitUndefined<JsonInput>({
        http_status: status,
        max_retries: tokenCount(retry.max_retries),
      }),
    });
  }

  /**
   * Tool results the conversation got for tools whose hooks said nothing more (a tool denied a
   * permission runs no PostToolUse): an error result fails the tool's span, another ends it.
   */
  #onToolResults(message: Fields): void {
    const content = fieldsOf(message.message).content;
    if (!Array.isArray(content)) return;
    const { capture } = this.#settings;
    for (const block of content.map(fieldsOf)) {
      const id = block.type === "tool_result" ? nonEmptyString(block.tool_use_id) : undefined;
      const span = id && this.#tools.get(id);
      if (!span) continue;
      this.#tools.delete(id as string);
      const text = toolResultText(block.content);
      if (block.is_error === true) {
        span.fail({
          message: capture.outputs
            ? text
            : "the tool failed (message not recorded: recordOutputs is false)",
          code: "tool_error",
        });
      } else {
        const output = capture.outputs ? { output: { text } } : {};
        span.end({ ...output, ...(capture.outputs ? { response: { text } } : {}) });
      }
    }
  }

  /** POLICY_DECISION "deny" for each denial the result lists (permissions, hooks). */
  #onDenials(session: SessionHandle, denials: unknown): void {
    if (!Array.isArray(denials)) return;
    for (const denial of denials.map(fieldsOf)) {
      const toolName = String(denial.tool_name ?? "unknown");
      session.policyDecision({
        policyId: "claude-code.permissions",
        outcome: "deny",
        ruleIds: [toolName],
        rationale: `permission to use ${toolName} denied`,
        metadata: omitUndefined<JsonInput>({
          tool_name: toolName,
          tool_use_id: nonEmptyString(denial.tool_use_id),
        }),
      });
    }
  }

  /** The result: the final text as OUTPUT_EMITTED, then SESSION_END with cost and usage. */
  #onResult(result: Fields): void {
    const session = this.#sessionOf(result);
    const { capture } = this.#settings;
    this.#onDenials(session, result.permission_denials);
    const text = nonEmptyString(result.result);
    if (text !== undefined) {
      session.outputEmitted(
        capture.outputs ? text : "(result not recorded: recordOutputs is false)",
      );
    }
    const usage = fieldsOf(result.usage);
    const metadata = omitUndefined<JsonInput>({
      subtype: nonEmptyString(result.subtype),
      total_cost_usd: finiteNumber(result.total_cost_usd),
      usage: toLenientJsonObject(
        omitUndefined({
          input_tokens: tokenCount(usage.input_tokens),
          output_tokens: tokenCount(usage.output_tokens),
          cache_creation_input_tokens: tokenCount(usage.cache_creation_input_tokens),
          cache_read_input_tokens: tokenCount(usage.cache_read_input_tokens),
        }),
      ),
      model_usage: toLenientJsonObject(result.modelUsage),
      num_turns: tokenCount(result.num_turns),
      duration_ms: finiteNumber(result.duration_ms),
      duration_api_ms: finiteNumber(result.duration_api_ms),
      stop_reason: nonEmptyString(result.stop_reason),
      permission_denials: Array.isArray(result.permission_denials)
        ? result.permission_denials.length
        : undefined,
    });
    this.#ended = true;
    this.#failOpen({ message: "the query ended before this span", code: "no_end" });
    if (result.is_error === true) {
      const errors = Array.isArray(result.errors) ? result.errors.map(String) : [];
      session.fail(
        {
          message:
            capture.outputs && errors.length > 0 ? errors.join("; ") : String(result.subtype),
          code: String(result.subtype),
        },
        { metadata },
      );
    } else {
      session.end({ metadata });
    }
  }

  #addToTurn(message: Fields): void {
    const body = fieldsOf(message.message);
    const id = nonEmptyString(body.id) ?? String(message.uuid);
    if (this.#turn !== undefined && this.#turn.id !== id) this.#flushTurn();
    this.#sessionOf(message);
    this.#turn ??= {
      id,
      startMs: this.#lastBoundaryMs,
      endMs: Date.now(),
      parentToolUseId: nonEmptyString(message.parent_tool_use_id),
      blocks: [],
      message: body,
      error: undefined,
    };
    this.#turn.message = body;
    this.#turn.endMs = Date.now();
    this.#turn.error ??= message.error;
    if (Array.isArray(body.content)) this.#turn.blocks.push(...body.content);
  }

  /**
   * The assembled turn as one model invocation, back-dated to when it started. The SDK sends a
   * turn's messages before the API's final `stop_reason`: a turn that asked for tools stopped
   * for them, and the last one stopped as the result says (`finalStopReason`).
   */
  #flushTurn(finalStopReason?: unknown): void {
    const turn = this.#turn;
    if (turn === undefined) return;
    if (turn.message.stop_reason == null) {
      const usesTools = turn.blocks.some((block) => fieldsOf(block).type === "tool_use");
      const stopReason = usesTools ? "tool_use" : nonEmptyString(finalStopReason);
      if (stopReason !== undefined) turn.message = { ...turn.message, stop_reason: stopReason };
    }
    this.#turn = undefined;
    const { capture } = this.#settings;
    const parent = (turn.parentToolUseId && this.#tools.get(turn.parentToolUseId)) || this.#session;
    if (parent === undefined) return;
    const outcome = messagesOperation.outcome({ ...turn.message, content: turn.blocks }, capture);
    // It ended when its message was read, or earlier: when the first tool it asked for started.
    const toolStarts = turn.blocks
      .map((block) => this.#toolStartMs.get(String(fieldsOf(block).id)))
      .filter((ms): ms is number => ms !== undefined);
    const endTime = Math.min(turn.endMs, ...toolStarts);
    const model = parent.modelInvocationStart({
      provider: "anthropic",
      model: nonEmptyString(turn.message.model) ?? "unknown",
      startTime: Math.min(turn.startMs, endTime),
      metadata: { operation: "claude-agent-sdk.assistant" },
    });
    const metadata = { operation: "claude-agent-sdk.assistant", ...outcome.metadata };
    if (turn.error !== undefined) {
      const { response, ...tokens } = outcome.result;
      model.fail(
        { message: String(turn.error), code: String(turn.error) },
        { ...tokens, ...(response ? { output: response } : {}), metadata, endTime },
      );
    } else {
      model.end({ ...outcome.result, metadata, endTime });
    }
  }

  /** Ends what is still open as failed, each on its own: one refusal does not skip the rest. */
  #failOpen(reason: ErrorInit): void {
    const open = [...this.#tools.values(), ...this.#agents.values()];
    this.#tools.clear();
    this.#agents.clear();
    for (const span of open) {
      this.#settings.guard.run("end", undefined, () => span.fail(reason));
    }
  }

  /** Where a hook's event goes: under its subagent, if it ran in one, else the session. */
  #scopeOf(input: Fields): SpanScope {
    const agentId = nonEmptyString(input.agent_id);
    return (agentId && this.#agents.get(agentId)) || this.#sessionOf(input);
  }

  /** The query's session, started on the SDK's session id the first time it is seen. */
  #sessionOf(fields: Fields, state?: JsonInput, startTime?: number): SessionHandle {
    if (this.#session === undefined) {
      const sessionId = nonEmptyString(fields.session_id);
      this.#session = this.#settings.chaukas.startSession({
        agentId: this.#settings.agentId,
        agentName: "Claude Code",
        ...(sessionId === undefined ? {} : { sessionId }),
        ...(state === undefined ? {} : { state }),
        ...(startTime === undefined ? {} : { startTime }),
      });
    }
    return this.#session;
  }

  #errorOf(error: unknown): ErrorInit {
    const name = error instanceof Error ? error.name : typeof error;
    return {
      message: this.#settings.capture.outputs
        ? error instanceof Error
          ? error.message
          : String(error)
        : `${name} (message not recorded: recordOutputs is false)`,
      code: name,
    };
  }
}

/** A tool result's content as text (a string, or the text of its text blocks). */
function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map(fieldsOf)
    .filter((block) => block.type === "text")
    .map((block) => String(block.text ?? ""))
    .join("\n");
}
