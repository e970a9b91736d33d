export { MAX_OPEN_CALLER_SESSIONS } from "./caller-continuation.js";
export { type InstrumentedMcpTransport, instrumentMcpTransport } from "./instrument-transport.js";
export {
  MCP_INSTRUMENTATION_DEFAULTS,
  type McpAdapterStep,
  type McpInstrumentationOptions,
  type McpInstrumentationStats,
  type McpSide,
  type McpTrustPredicate,
} from "./options.js";
