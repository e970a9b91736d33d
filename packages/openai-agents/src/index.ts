export {
  type ChaukasTracingProcessor,
  type ChaukasTracingProcessorOptions,
  type ChaukasTracingProcessorStats,
  TRACING_PROCESSOR_DEFAULTS,
  type TracingProcessorErrorInfo,
  type TracingProcessorHook,
} from "./options.js";
export { createChaukasTracingProcessor } from "./tracing-processor.js";
