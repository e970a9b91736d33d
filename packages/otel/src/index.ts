export { createChaukasSpanProcessor } from "./in/chaukas-span-processor.js";
export {
  type ChaukasSpanProcessor,
  type ChaukasSpanProcessorOptions,
  type ChaukasSpanProcessorStats,
  SPAN_PROCESSOR_DEFAULTS,
  type SpanProcessorErrorInfo,
  type SpanProcessorHook,
} from "./in/span-processor-options.js";
export {
  createFanOutExporter,
  type FanOutDestination,
  type FanOutExporter,
} from "./out/fan-out-exporter.js";
export {
  createOtlpExporter,
  OTLP_EXPORTER_DEFAULTS,
  type OtlpExporter,
  type OtlpExporterOptions,
} from "./out/otlp-exporter.js";
