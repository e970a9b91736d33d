export { type InstrumentedMcpTransport, instrumentMcpTransport } from "./instrument-transport.js";
export {
  MCP_INSTRUMENTATION_DEFAULTS,
  type McpInstrumentationOptions,
  type McpInstrumentationStats,
  type McpSide,
} from "./options.js";
