// Two agents of a support desk: Triage looks the order up with a tool, then hands off to
// Refunds, which answers. A guardrail checks the customer's message first.
import { Agent, type InputGuardrail, tool } from "@openai/agents";
import { assistantText, createScriptedModel, toolCall } from "./scripted-model.js";

const lookupOrder = tool({
  name: "lookup_order",
  description: "Looks an order up by its id.",
  parameters: {
    type: "object",
    properties: { orderId: { type: "string" } },
    required: ["orderId"],
    additionalProperties: false,
  },
  strict: true,
  execute: async (input) => {
    const { orderId } = input as { orderId: string };
    return JSON.stringify({ orderId, status: "delivered", total: "$49.00" });
  },
});

const noCardNumbers: InputGuardrail = {
  name: "no_card_numbers",
  runInParallel: false,
  execute: async ({ input }) => ({
    tripwireTriggered: /\b(?:\d[ -]?){13,16}\b/.test(JSON.stringify(input)),
    outputInfo: {},
  }),
};

export function createSupportDesk(): Agent {
  const refunds = new Agent({
    name: "Refunds",
    instructions: "Issue refunds for delivered orders.",
    model: createScriptedModel("scripted-refunds", [
      {
        output: () => [assistantText("Your refund of $49.00 for order 4521 is on its way.")],
        inputTokens: 212,
        outputTokens: 18,
      },
    ]),
  });
  return new Agent({
    name: "Triage",
    instructions: "Find the order, then route the customer to the right desk.",
    tools: [lookupOrder],
    handoffs: [refunds],
    inputGuardrails: [noCardNumbers],
    model: createScriptedModel("scripted-triage", [
      {
        output: () => [toolCall("lookup_order", { orderId: "4521" }, "call_1")],
        inputTokens: 143,
        outputTokens: 21,
      },
      {
        output: (request) => [toolCall(request.handoffs[0]!.toolName, {}, "call_2")],
        inputTokens: 198,
        outputTokens: 9,
      },
    ]),
  });
}
