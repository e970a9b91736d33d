import { setTimeout as sleep } from "node:timers/promises";
import type { ChaukasClient } from "@chaukas/client";

/** Options of `runSupportAgent`. */
export interface SupportAgentOptions {
  /** Scales every simulated latency; 0 runs the agent as fast as it can. Default: 1. */
  readonly pace?: number;
  /** The customer's message. Default: a refund question with an e-mail address in it. */
  readonly question?: string;
}

/** What a run produced, for printing or checking it afterwards. */
export interface SupportAgentRun {
  readonly sessionId: string;
  readonly traceId: string;
  readonly answer: string;
}

/** Simulated latencies in milliseconds, scaled by `pace`. */
const LATENCY = {
  plannerModel: 180,
  researcherModel: 240,
  writerModel: 210,
  orderLookup: 45,
  kbSearch: 60,
  mcpRead: 35,
  retryBackoff: 100,
} as const;

// Per-token prices of the simulated model (USD), so cost adds up like a real bill would.
const PRICE = { input: 0.15 / 1_000_000, output: 0.6 / 1_000_000 } as const;

const DEFAULT_QUESTION =
  "Hi, I returned order #4521 two weeks ago and still have no refund. My e-mail is jane.doe@example.com.";

/**
 * A customer-support agent with everything a real one does, minus the LLM and the network:
 * a planner reads the question, checks a PII policy, plans with a model and hands off to a
 * researcher; the researcher calls a flaky order API (which fails once and is retried),
 * reads a refund-policy document over MCP, searches a knowledge base (a RAG read that touches
 * PII), hits an unrecoverable carrier-tracking error, and summarises; the planner writes the
 * answer. Every one of the 19 Chaukas event types is emitted, nested span by span.
 *
 * Tools are plain functions that call the client, not a handle: they attach to whatever span
 * is active, which is what the AsyncLocalStorage context manager makes work across awaits.
 */
export async function runSupportAgent(
  chaukas: ChaukasClient,
  options: SupportAgentOptions = {},
): Promise<SupportAgentRun> {
  const pace = options.pace ?? 1;
  const wait = (ms: number) => (pace > 0 ? sleep(ms * pace) : Promise.resolve());
  const question = options.question ?? DEFAULT_QUESTION;

  const session = chaukas.startSession({
    agentId: "support-desk",
    agentName: "Support Desk",
    state: { channel: "web-chat", locale: "en-GB" },
    tags: ["quickstart"],
  });
  session.system({
    message: "support-desk v1.4 started; tools: order_lookup, kb_search, carrier_tracking",
  });

  const answer = await session.run(async () => {
    session.inputReceived({ text: question, piiCategories: ["EMAIL"] });

    const planner = session.agentStart({ agentId: "planner", agentName: "Planner" });
    const reply = await planner.run(async () => {
      planner.policyDecision({
        policyId: "pii-handling-v2",
        outcome: "allow",
        ruleIds: ["pii.email.mask-in-logs", "pii.email.allow-order-lookup"],
        rationale: "E-mail may be used to look up the customer's own order; masked in logs.",
      });

      await callModel(chaukas, wait, LATENCY.plannerModel, {
        purpose: "planner",
        system: "You plan support conversations.",
        user: question,
        promptTokens: 412,
        completionTokens: 64,
        response: { plan: ["lookup_order", "check_refund_policy", "check_shipment", "answer"] },
      });
      planner.stateUpdate({
        plan: ["lookup_order", "check_refund_policy", "check_shipment", "answer"],
        step: 1,
      });

      planner.handoff({
        toAgentId: "researcher",
        toAgentName: "Researcher",
        reason: "needs order, policy and shipment facts",
        handoffType: "sequential",
        data: { orderId: "4521" },
      });
      const researcher = planner.agentStart({ agentId: "researcher", agentName: "Researcher" });
      const findings = await researcher.run(() => research(chaukas, wait));
      researcher.end({ state: findings });

      planner.stateUpdate({ step: 4, findings });
      await callModel(chaukas, wait, LATENCY.writerModel, {
        purpose: "writer",
        system: "Write a short, kind answer.",
        user: JSON.stringify(findings),
        promptTokens: 655,
        completionTokens: 118,
        response: { text: "drafted" },
      });
      return `Your refund of ${findings.refundAmount} for order #4521 was approved on ${findings.refundApprovedOn} and reaches your card within 5 business days.`;
    });
    planner.end();

    session.outputEmitted({ text: reply });
    return reply;
  });
  session.end({ state: { resolved: true } });
  return { sessionId: session.id, traceId: session.traceId, answer };
}

interface Findings {
  readonly [key: string]: string | number | boolean;
  readonly refundAmount: string;
  readonly refundApprovedOn: string;
}

async function research(
  chaukas: ChaukasClient,
  wait: (ms: number) => Promise<void>,
): Promise<Findings> {
  // The order API times out once; the agent retries with backoff, as production code would.
  const order = await withRetry(chaukas, wait, (attempt) =>
    callTool(chaukas, "order_lookup", { orderId: "4521", email: "j***@example.com" }, async () => {
      await wait(LATENCY.orderLookup);
      if (attempt === 1) {
        throw Object.assign(new Error("order API timed out after 3000 ms"), { code: "ETIMEDOUT" });
      }
      return {
        orderId: "4521",
        status: "returned",
        refund: { amount: "£42.90", approvedOn: "2025-06-02" },
      };
    }),
  );

  const mcp = chaukas.mcpCallStart({
    serverName: "policy-docs",
    serverUrl: "stdio://policy-docs",
    operation: "resources/read",
    method: "POST",
    protocolVersion: "2025-06-18",
    request: { uri: "docs://refunds/uk.md" },
  });
  await wait(LATENCY.mcpRead);
  mcp.end({
    response: { uri: "docs://refunds/uk.md", excerpt: "Refunds post within 5 business days." },
  });

  await wait(LATENCY.kbSearch);
  chaukas.dataAccess({
    datasource: "vector://support-kb",
    documentIds: ["kb-refunds-uk", "crm-customer-88412"],
    chunkIds: ["kb-refunds-uk#3", "crm-customer-88412#contact"],
    piiCategories: ["EMAIL", "NAME"],
  });

  const tracking = chaukas.toolCallStart({
    name: "carrier_tracking",
    arguments: { orderId: "4521" },
  });
  const carrierError = Object.assign(
    new Error("carrier API returned 410: tracking number expired"),
    {
      code: "TRACKING_EXPIRED",
    },
  );
  tracking.fail(carrierError, { httpStatus: 410 });
  chaukas.error({
    message: "shipment status unavailable; answering without it",
    code: "TRACKING_EXPIRED",
    recoverable: true,
    recoveryAction: "skip shipment step",
  });

  await callModel(chaukas, wait, LATENCY.researcherModel, {
    purpose: "researcher",
    system: "Summarise the facts for the planner.",
    user: JSON.stringify(order),
    promptTokens: 1208,
    completionTokens: 143,
    response: { summary: "refund approved 2025-06-02" },
  });
  return {
    orderStatus: String(order.status),
    refundAmount: order.refund.amount,
    refundApprovedOn: order.refund.approvedOn,
    shipmentKnown: false,
  };
}

/** Runs `attempt(n)` until it succeeds (at most 3 tries), emitting RETRY before each retry. */
async function withRetry<T>(
  chaukas: ChaukasClient,
  wait: (ms: number) => Promise<void>,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n === 3) {
        throw error;
      }
      const backoffMs = LATENCY.retryBackoff * 2 ** (n - 1);
      chaukas.retry({ attempt: n + 1, strategy: "exponential_backoff", backoffMs, reason: error });
      await wait(backoffMs);
    }
  }
}

/** A tool call span around `run`: TOOL_CALL_END with the output, or FAILED with the error. */
async function callTool<T extends Record<string, unknown>>(
  chaukas: ChaukasClient,
  name: string,
  args: Record<string, unknown>,
  run: () => Promise<T>,
): Promise<T> {
  const tool = chaukas.toolCallStart({ name, arguments: args });
  try {
    const output = await tool.run(run);
    tool.end({ output: { ...output } });
    return output;
  } catch (error) {
    tool.fail(error);
    throw error;
  }
}

interface SimulatedCompletion {
  readonly purpose: string;
  readonly system: string;
  readonly user: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly response: Record<string, unknown>;
}

/** A simulated chat completion with token counts and what they would cost. */
async function callModel(
  chaukas: ChaukasClient,
  wait: (ms: number) => Promise<void>,
  latencyMs: number,
  completion: SimulatedCompletion,
): Promise<void> {
  const model = chaukas.modelInvocationStart({
    provider: "openai",
    model: "gpt-4o-mini",
    temperature: 0.2,
    maxTokens: 512,
    request: {
      purpose: completion.purpose,
      messages: [
        { role: "system", content: completion.system },
        { role: "user", content: completion.user },
      ],
    },
  });
  await wait(latencyMs);
  const inputCost = completion.promptTokens * PRICE.input;
  const outputCost = completion.completionTokens * PRICE.output;
  model.end({
    promptTokens: completion.promptTokens,
    completionTokens: completion.completionTokens,
    finishReason: "stop",
    response: completion.response,
    cost: {
      service: "chat.completions",
      inputTokens: completion.promptTokens,
      outputTokens: completion.completionTokens,
      totalTokens: completion.promptTokens + completion.completionTokens,
      inputCost,
      outputCost,
      totalCost: inputCost + outputCost,
      currency: "USD",
      inputRatePerToken: PRICE.input,
      outputRatePerToken: PRICE.output,
    },
  });
}
