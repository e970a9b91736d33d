export {
  type ChaukasTelemetry,
  type ChaukasTelemetryStats,
  chaukasTelemetry,
} from "./chaukas-telemetry.js";
export { CHAUKAS_TELEMETRY_DEFAULTS, type ChaukasTelemetryOptions } from "./telemetry-options.js";
