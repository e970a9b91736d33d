import { createChaukasClient, type EventExporter } from "@chaukas/client";
import type { Event } from "@chaukas/spec/common/v1";
import { afterAll, describe, expect, it } from "vitest";
import { createFanOutExporter, createOtlpExporter } from "../src/index.js";
import { type Answer, startOtlpReceiver } from "./otlp-receiver.js";

const receivers: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(receivers.map((receiver) => receiver.close())));

async function receiver(answer?: (request: number) => Answer) {
  const started = await startOtlpReceiver(answer);
  receivers.push(started);
  return started;
}

const noRetryDelay = { initialBackoffMs: 1, maxBackoffMs: 1 };

describe("createOtlpExporter", () => {
  it("sends a session as OTLP spans: pairs as one span, point events on their parent or on their own", async () => {
    const collector = await receiver();
    const chaukas = createChaukasClient({
      tenantId: "acme",
      projectId: "support",
      exporter: createOtlpExporter({
        url: collector.url,
        headers: { authorization: "Bearer k" },
        compression: "gzip",
        serviceName: "support-bot",
      }),
    });
    const session = chaukas.startSession({ agentId: "support", startTime: 1_000 });
    session.inputReceived({ text: "Where is my order?", time: 1_001 });
    const model = session.modelInvocationStart({
      provider: "openai",
      model: "gpt-4o",
      temperature: 0.2,
      request: { messages: [{ role: "user", content: "Where is my order?" }] },
      startTime: 1_002,
    });
    model.end({
      promptTokens: 12,
      completionTokens: 3,
      finishReason: "tool_calls",
      responseId: "chatcmpl-1",
      endTime: 1_100,
    });
    const tool = session.toolCallStart({
      name: "lookup_order",
      id: "call_1",
      arguments: { order: "A-1" },
      startTime: 1_101,
    });
    tool.fail(new Error("order service down"), { endTime: 1_150 });
    session.end({ endTime: 1_200 });
    // Under a span this client never opened: a zero-length span of its own.
    const remote = chaukas.continueSession(
      { traceId: session.traceId, spanId: "00f067aa0ba902b7", flags: 1, sessionId: session.id },
      { trust: true },
    );
    remote.outputEmitted({ text: "It is in transit.", time: 1_300 });
    await chaukas.shutdown();
    expect(chaukas.stats()).toMatchObject({ sent: 8, failed: 0 });

    const { spans, requests } = collector;
    expect(requests.every((headers) => headers.authorization === "Bearer k")).toBe(true);
    expect(requests[0]!["content-encoding"]).toBe("gzip");
    expect(requests[0]!["content-type"]).toBe("application/x-protobuf");
    expect(spans.map((span) => span.name).sort()).toEqual([
      "chat gpt-4o",
      "chaukas.output_emitted",
      "chaukas.session",
      "execute_tool lookup_order",
    ]);
    const byName = (name: string) => spans.find((span) => span.name === name)!;
    const root = byName("chaukas.session");
    const chat = byName("chat gpt-4o");
    const lookup = byName("execute_tool lookup_order");
    const output = byName("chaukas.output_emitted");
    for (const span of spans) {
      expect(span.traceId).toBe(session.traceId);
      expect(span.resource["service.name"]).toBe("support-bot");
      expect(span.scope).toBe("@chaukas/otel");
      expect(span.attributes["gen_ai.conversation.id"]).toBe(session.id);
      expect(span.attributes["chaukas.tenant_id"]).toBe("acme");
    }
    expect(root.spanId).toBe(session.spanId);
    expect(root.parentSpanId).toBe("");
    expect([root.startMs, root.endMs]).toEqual([1_000, 1_200]);
    expect(root.attributes["gen_ai.agent.id"]).toBe("support");
    expect(root.events.map((event) => event.name)).toEqual(["chaukas.input_received"]);
    expect(root.events[0]!.attributes["chaukas.content.message"]).toContain("Where is my order?");

    expect(chat.parentSpanId).toBe(session.spanId);
    expect(chat.kind).toBe(3); // SPAN_KIND_CLIENT on the wire
    expect([chat.startMs, chat.endMs]).toEqual([1_002, 1_100]);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.finish_reasons": ["tool_calls"],
      "gen_ai.response.id": "chatcmpl-1",
      "chaukas.type": "EVENT_TYPE_MODEL_INVOCATION_END",
      "chaukas.start.type": "EVENT_TYPE_MODEL_INVOCATION_START",
    });
    expect(
      JSON.parse(chat.attributes["chaukas.start.content.llm_invocation"] as string),
    ).toMatchObject({ request: { messages: [{ role: "user", content: "Where is my order?" }] } });

    expect(lookup.parentSpanId).toBe(session.spanId);
    expect(lookup.status).toEqual({ code: 2, message: "order service down" });
    expect(lookup.attributes).toMatchObject({
      "gen_ai.tool.name": "lookup_order",
      "gen_ai.tool.call.id": "call_1",
      "gen_ai.tool.call.arguments": JSON.stringify({ order: "A-1" }),
      "chaukas.status": "EVENT_STATUS_FAILED",
    });

    expect(output.parentSpanId).toBe("00f067aa0ba902b7");
    expect([output.startMs, output.endMs]).toEqual([1_300, 1_300]);
  });

  it("retries what the OTLP spec says to retry (503 with Retry-After), and fails a 400 without retrying", async () => {
    const flaky = await receiver((n) =>
      n === 1 ? { status: 503, headers: { "retry-after": "0" } } : { status: 200 },
    );
    const flakyClient = createChaukasClient({
      tenantId: "acme",
      projectId: "p",
      exporter: createOtlpExporter({ url: flaky.url }),
      retry: noRetryDelay,
    });
    flakyClient.system("hello");
    await flakyClient.shutdown();
    expect(flakyClient.stats()).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(flaky.requests).toHaveLength(2);
    expect(flaky.spans.map((span) => span.name)).toEqual(["chaukas.system"]);

    const refusing = await receiver(() => ({ status: 400 }));
    const errors: string[] = [];
    const refused = createChaukasClient({
      tenantId: "acme",
      projectId: "p",
      exporter: createOtlpExporter({ url: refusing.url }),
      retry: noRetryDelay,
      onError: (error, info) => errors.push(`${info.reason}: ${error.rawMessage}`),
    });
    refused.system("hello");
    await refused.shutdown();
    expect(refused.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(errors).toEqual(["rejected: OTLP export refused: HTTP 400 Bad Request"]);
  });

  it("holds a START until its END comes in a later batch, and sends what is still held at shutdown as unfinished", async () => {
    const collector = await receiver();
    const chaukas = createChaukasClient({
      tenantId: "acme",
      projectId: "p",
      exporter: createOtlpExporter({ url: collector.url }),
    });
    const session = chaukas.startSession({ startTime: 1_000 });
    const agent = session.agentStart({ agentId: "a", startTime: 1_001 });
    await chaukas.flush();
    expect(collector.spans).toHaveLength(0);
    agent.end({ endTime: 1_050 });
    await chaukas.flush();
    expect(collector.spans.map((span) => span.name)).toEqual(["invoke_agent a"]);
    expect(collector.spans[0]!.startMs).toBe(1_001);
    await chaukas.shutdown();
    const unfinished = collector.spans[1]!;
    expect(unfinished.name).toBe("chaukas.session");
    expect(unfinished.attributes["chaukas.unfinished"]).toBe(true);
  });
});

describe("createFanOutExporter", () => {
  it("delivers to each destination on its own: a Collector that is down does not hold up the backend, and stats say who lost what", async () => {
    const down = await receiver(() => ({ status: 503 }));
    const delivered: Event[] = [];
    const backend: EventExporter = {
      async export(batch) {
        delivered.push(...batch.events);
      },
    };
    const fanOut = createFanOutExporter({
      backend: { exporter: backend },
      collector: {
        exporter: createOtlpExporter({ url: down.url }),
        retry: { ...noRetryDelay, maxAttempts: 3 },
      },
    });
    const chaukas = createChaukasClient({ tenantId: "acme", projectId: "p", exporter: fanOut });
    for (let i = 0; i < 5; i++) chaukas.system(`event ${i}`);
    await chaukas.flush();
    const flushed = await fanOut.flush();
    expect(flushed.completed).toBe(true);
    expect(delivered).toHaveLength(5);
    const stats = fanOut.stats();
    expect(stats.backend).toMatchObject({ sent: 5, failed: 0 });
    expect(stats.collector).toMatchObject({ sent: 0, failed: 5, retried: 2 });
    expect(down.requests).toHaveLength(3);
    await chaukas.shutdown();
  });
});
