// The OpenTelemetry web stack a user might pick instead: a tracer provider, the batch
// processor and the OTLP/HTTP exporter, one span started and ended.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchSpanProcessor, WebTracerProvider } from "@opentelemetry/sdk-trace-web";

const provider = new WebTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: "http://localhost:4318/v1/traces" })),
  ],
});
provider.register();
const span = provider.getTracer("agent").startSpan("tool_call search", {
  attributes: { "tool.name": "search" },
});
span.end();
await provider.forceFlush();
