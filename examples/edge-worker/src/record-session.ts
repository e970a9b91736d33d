import type { ChaukasClient } from "@chaukas/client";

/** What one request of the example agent returns. */
export interface AgentReply {
  readonly sessionId: string;
  readonly answer: string;
}

/**
 * The example agent: answers a question and records the whole exchange as one Chaukas session
 * (input, an agent with a model call and a tool call, output). Runtime-neutral: the worker,
 * the Deno and the Bun scripts all call it.
 */
export function recordAgentSession(
  chaukas: ChaukasClient,
  question: string,
  runtime: string,
): AgentReply {
  const session = chaukas.startSession({ agentId: "edge-agent", agentName: "Edge agent" });
  session.inputReceived({ text: question });
  const agent = session.agentStart({ agentId: "answerer", agentName: "Answerer" });
  const model = agent.modelInvocationStart({ provider: "example", model: "echo-1" });
  model.end({ promptTokens: question.length, completionTokens: 12, finishReason: "stop" });
  const tool = agent.toolCallStart({ name: "lookup", arguments: { q: question } });
  tool.end({ output: { runtime } });
  const answer = `You asked "${question}" (answered on ${runtime}).`;
  agent.end();
  session.outputEmitted({ text: answer });
  session.end();
  return { sessionId: session.id, answer };
}
