import {
  create,
  type DescMessage,
  equals,
  isMessage,
  type Message,
  toBinary,
} from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AgentHandoffSchema,
  CostDetailsSchema,
  DataAccessSchema,
  ErrorInfoSchema,
  EventSchema,
  InfrastructureMetricsSchema,
  LLMInvocationSchema,
  MCPCallSchema,
  MessageContentSchema,
  PerformanceMetricsSchema,
  PolicyDecisionSchema,
  RedactionInfoSchema,
  RetryInfoSchema,
  ToolCallSchema,
  ToolResponseSchema,
} from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { ChaukasValidationError } from "../validation/validation-error.js";
import {
  agentHandoff,
  costDetails,
  dataAccess,
  errorInfo,
  infrastructureMetrics,
  llmInvocationEnded,
  llmInvocationStarted,
  mcpCallEnded,
  mcpCallStarted,
  messageContent,
  performanceMetrics,
  policyDecision,
  retryInfo,
  toolCall,
  toolResponse,
} from "./content-messages.js";

describe("content and attachment messages", () => {
  it("check required strings, copy string lists and Struct fields, naming proto paths", () => {
    const ruleIds = ["r1"];
    const policy = policyDecision({
      policyId: "p",
      outcome: "deny",
      ruleIds,
      rationale: "r",
      tags: ["not a policy field"],
    });
    expect(policy).toEqual(
      create(PolicyDecisionSchema, { policyId: "p", outcome: "deny", ruleIds, rationale: "r" }),
    );
    ruleIds.push("r2");
    expect(policy.ruleIds).toEqual(["r1"]);

    const args = { q: [1, "x"] };
    const call = toolCall({ name: "t", arguments: args }, "id");
    args.q.push(2);
    expect(call.arguments).toEqual({ q: [1, "x"] });

    const field = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof ChaukasValidationError && error.field;
      }
    };
    expect(field(() => policyDecision({ outcome: "x" }))).toBe("policy.policy_id");
    expect(field(() => dataAccess({ datasource: "d", chunkIds: ["a", 3] }))).toBe(
      "data_access.chunk_ids[1]",
    );
    expect(field(() => toolCall({ name: "t", arguments: { f: () => 1 } }, "id"))).toBe(
      "tool_call.arguments.f",
    );
    // A string input counts as empty, never as an object of its characters.
    expect(field(() => toolCall("abc", "id"))).toBe("tool_call.name");
    expect(retryInfo("abc", "s").attempt).toBe(0);
    // A caller's null is "not set"; a value the builder passes is checked as it is.
    expect(toolCall({ name: "t", arguments: null, functionName: null }, "id")).toEqual(
      create(ToolCallSchema, { id: "id", name: "t" }),
    );
    expect(field(() => messageContent("user", "t", null))).toBe("message.metadata");
  });

  it("make, for every message type of Event's content and attachments, what create makes", () => {
    const start = timestampFromMs(1_700_000_000_123);
    const end = timestampFromMs(1_700_000_001_000);
    const json = { k: [1, "v"] };
    const made: [DescMessage, Message, Record<string, unknown>][] = [
      [
        MessageContentSchema,
        messageContent("user", "hi", json),
        { role: "user", text: "hi", metadata: json },
      ],
      [
        ToolCallSchema,
        toolCall({ name: "t", arguments: json, authRequired: true, functionName: "f" }, "id"),
        { id: "id", name: "t", arguments: json, authRequired: true, functionName: "f" },
      ],
      [
        ToolResponseSchema,
        toolResponse({ output: json, httpStatus: 200 }, "id", "e", 1.5),
        {
          toolCallId: "id",
          output: json,
          errorMessage: "e",
          executionTimeMs: 1.5,
          httpStatus: 200,
        },
      ],
      [
        LLMInvocationSchema,
        llmInvocationStarted(
          {
            provider: "p",
            model: "m",
            request: json,
            temperature: 0.5,
            maxTokens: 9,
            topP: 1,
            frequencyPenalty: 0.1,
            presencePenalty: 0.2,
          },
          start,
        ),
        {
          provider: "p",
          model: "m",
          request: json,
          temperature: 0.5,
          maxTokens: 9,
          topP: 1,
          frequencyPenalty: 0.1,
          presencePenalty: 0.2,
          startTime: start,
        },
      ],
      [
        LLMInvocationSchema,
        llmInvocationEnded(
          { request: json, promptTokens: 1, completionTokens: 2 },
          {
            provider: "p",
            model: "m",
            response: json,
            totalTokens: 3,
            finishReason: "stop",
            startTime: start,
            endTime: end,
            durationMs: 877,
          },
        ),
        {
          provider: "p",
          model: "m",
          request: json,
          response: json,
          promptTokens: 1,
          completionTokens: 2,
          totalTokens: 3,
          finishReason: "stop",
          startTime: start,
          endTime: end,
          durationMs: 877,
        },
      ],
      [
        MCPCallSchema,
        mcpCallStarted({
          serverName: "s",
          serverUrl: "u",
          operation: "o",
          method: "POST",
          request: json,
          protocolVersion: "v",
        }),
        {
          serverName: "s",
          serverUrl: "u",
          operation: "o",
          method: "POST",
          request: json,
          protocolVersion: "v",
        },
      ],
      [
        MCPCallSchema,
        mcpCallEnded(
          create(MCPCallSchema, { serverName: "s", operation: "o", request: json }),
          json,
          2,
        ),
        { serverName: "s", operation: "o", response: json, executionTimeMs: 2 },
      ],
      [
        ErrorInfoSchema,
        errorInfo("m", "c", "s", true, "r"),
        {
          errorMessage: "m",
          errorCode: "c",
          stackTrace: "s",
          recoverable: true,
          recoveryAction: "r",
        },
      ],
      [
        AgentHandoffSchema,
        agentHandoff(
          { toAgentId: "b", toAgentName: "B", reason: "r", handoffType: "sequential" },
          "a",
          "A",
          json,
        ),
        {
          fromAgentId: "a",
          fromAgentName: "A",
          toAgentId: "b",
          toAgentName: "B",
          handoffData: json,
          reason: "r",
          handoffType: "sequential",
        },
      ],
      [
        PolicyDecisionSchema,
        policyDecision({ policyId: "p", outcome: "allow", ruleIds: ["r"], rationale: "why" }),
        { policyId: "p", outcome: "allow", ruleIds: ["r"], rationale: "why" },
      ],
      [
        DataAccessSchema,
        dataAccess({
          datasource: "d",
          documentIds: ["a"],
          chunkIds: ["b"],
          piiCategories: ["EMAIL"],
        }),
        { datasource: "d", documentIds: ["a"], chunkIds: ["b"], piiCategories: ["EMAIL"] },
      ],
      [
        RetryInfoSchema,
        retryInfo({ attempt: 2, backoffMs: 100 }, "fixed"),
        { attempt: 2, strategy: "fixed", backoffMs: 100 },
      ],
      [PerformanceMetricsSchema, performanceMetrics(12.5), { durationMs: 12.5 }],
      [
        CostDetailsSchema,
        costDetails(
          {
            service: "chat",
            inputTokens: 1,
            outputTokens: 2,
            totalTokens: 3,
            inputCost: 0.1,
            outputCost: 0.2,
            totalCost: 0.3,
            currency: "USD",
            inputRatePerToken: 0.01,
            outputRatePerToken: 0.02,
          },
          "openai",
        ),
        {
          provider: "openai",
          service: "chat",
          inputTokens: 1,
          outputTokens: 2,
          totalTokens: 3,
          inputCost: 0.1,
          outputCost: 0.2,
          totalCost: 0.3,
          currency: "USD",
          inputRatePerToken: 0.01,
          outputRatePerToken: 0.02,
        },
      ],
      [
        InfrastructureMetricsSchema,
        infrastructureMetrics({
          resourceType: "pod",
          metrics: json,
          host: "h",
          processId: 7,
          threadId: "t",
        }),
        { resourceType: "pod", metrics: json, host: "h", processId: 7, threadId: "t" },
      ],
    ];
    // Every message type of Event's content and attachments but RedactionInfo (set by redact).
    const types = EventSchema.fields
      .map((f) => f.message?.typeName)
      .filter((name) => name?.startsWith("chaukas.") && name !== RedactionInfoSchema.typeName);
    expect(new Set(made.map(([schema]) => schema.typeName))).toEqual(new Set(types));
    for (const [schema, message, init] of made) {
      const expected = create(schema, init);
      expect(isMessage(message, schema), schema.typeName).toBe(true);
      expect(equals(schema, message, expected), schema.typeName).toBe(true);
      expect(toBinary(schema, message)).toEqual(toBinary(schema, expected));
      // Every field is set (create() leaves unset message fields out, the literal holds them
      // as undefined: one hidden class per type), in create's order.
      const set = Object.entries(message).filter(([, value]) => value !== undefined);
      expect(set.map(([key]) => key)).toEqual(Object.keys(expected));
      expect(Object.keys(message)).toEqual(["$typeName", ...schema.fields.map((f) => f.localName)]);
    }
  });
});
