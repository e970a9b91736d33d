import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { TOOL_CALL } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { timeChunkedLoop } from "./hot-path-loop.js";

// Baseline of row 1: one span started and ended through OpenTelemetry's BatchSpanProcessor,
// with an exporter that discards, so only the SDK's own work on the caller's stack is timed.
const processor = new BatchSpanProcessor({
  export(_spans, resultCallback) {
    resultCallback({ code: 0 });
  },
  async shutdown() {},
});
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer("bench");

const result = await timeChunkedLoop({
  operation(i) {
    const span = tracer.startSpan("tool_call search", {
      attributes: { "tool.name": TOOL_CALL.toolName, "tool.arguments.q": "refund policy", k: 5 },
    });
    span.setAttribute("page", i % 10);
    span.end();
  },
  eventsPerOperation: 1,
  drain: () => processor.forceFlush(),
});
await provider.shutdown();
reportResult(result);
