import { type Attributes, context, type Span, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { createChaukasSpanProcessor } from "../src/index.js";
import { createEventSink, typeName } from "./event-sink.js";

describe("OpenInference spans", () => {
  it("maps AGENT, LLM, TOOL and RETRIEVER (as DATA_ACCESS) under a CHAIN, in session.id's session", async () => {
    const { chaukas, events } = createEventSink();
    const tracer = new BasicTracerProvider({
      spanProcessors: [createChaukasSpanProcessor(chaukas)],
    }).getTracer("openinference");
    const start = (name: string, attributes: Attributes, parent?: Span) =>
      tracer.startSpan(
        name,
        { attributes: { "session.id": "oi-session", ...attributes } },
        parent ? trace.setSpan(context.active(), parent) : undefined,
      );
    const id = (span: Span) => span.spanContext().spanId;

    const chain = start("RunnableSequence", {
      "openinference.span.kind": "CHAIN",
      "input.value": "What is our refund policy?",
    });
    const agent = start(
      "ResearchAgent",
      { "openinference.span.kind": "AGENT", "agent.name": "researcher" },
      chain,
    );
    const retriever = start(
      "retrieve",
      {
        "openinference.span.kind": "RETRIEVER",
        "retrieval.documents.0.document.id": "policy-12",
        "retrieval.documents.0.document.content": "Refunds within 30 days",
        "retrieval.documents.1.document.id": "faq-3",
      },
      agent,
    );
    retriever.end();
    const llm = start(
      "ChatOpenAI",
      {
        "openinference.span.kind": "LLM",
        "llm.provider": "openai",
        "llm.model_name": "gpt-4o-mini",
        "llm.invocation_parameters": JSON.stringify({ temperature: 0.5, max_tokens: 100 }),
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "Answer from the documents.",
        "llm.input_messages.1.message.role": "user",
        "llm.input_messages.1.message.content": "What is our refund policy?",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.content": "30 days.",
        "llm.token_count.prompt": 50,
        "llm.token_count.completion": 3,
        "llm.token_count.total": 53,
        "llm.token_count.prompt_details.cache_read": 20,
      },
      agent,
    );
    llm.end();
    const tool = start(
      "send_email",
      {
        "openinference.span.kind": "TOOL",
        "tool.name": "send_email",
        "input.value": JSON.stringify({ to: "a@example.com" }),
        "output.value": "sent",
      },
      agent,
    );
    tool.end();
    agent.end();
    chain.end();

    const all = await events();
    expect(all.map(typeName)).toEqual([
      "DATA_ACCESS",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "AGENT_START",
      "AGENT_END",
    ]);
    for (const event of all) expect(event.sessionId).toBe("oi-session");
    const [access, modelStart, modelEnd, toolStart, toolEnd, agentStart] = all;
    expect(access!.spanId).toBe(id(retriever));
    expect(access!.parentSpanId).toBe(id(agent));
    expect(access!.content.value).toMatchObject({
      datasource: "retrieve",
      documentIds: ["policy-12", "faq-3"],
    });
    expect(modelStart!.content.value).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      temperature: 0.5,
      maxTokens: 100,
      request: {
        messages: [
          { message: { role: "system", content: "Answer from the documents." } },
          { message: { role: "user", content: "What is our refund policy?" } },
        ],
      },
    });
    expect(modelEnd!.content.value).toMatchObject({
      promptTokens: 50,
      completionTokens: 3,
      totalTokens: 53,
      response: { messages: [{ message: { role: "assistant", content: "30 days." } }] },
    });
    expect(modelEnd!.metadata).toMatchObject({ usage: { cache_read_input_tokens: 20 } });
    expect(toolStart!.content.value).toMatchObject({
      name: "send_email",
      arguments: { to: "a@example.com" },
    });
    expect(toolEnd!.content.value).toMatchObject({ output: { output: "sent" } });
    // The CHAIN has no events of its own: the agent is at the top of the session.
    expect(agentStart!.parentSpanId).toBe("");
    expect(agentStart!.agentId).toBe("researcher");
    for (const event of all.slice(0, 5)) expect(event.agentId).toBe("researcher");
  });
});
