export { createChaukasSpanProcessor } from "./in/chaukas-span-processor.js";
export { type GenAiKind, genAiKindOf } from "./in/genai-kind.js";
export {
  type ChaukasSpanProcessor,
  type ChaukasSpanProcessorOptions,
  type ChaukasSpanProcessorStats,
  SPAN_PROCESSOR_DEFAULTS,
  type SpanProcessorErrorInfo,
  type SpanProcessorHook,
} from "./in/span-processor-options.js";
