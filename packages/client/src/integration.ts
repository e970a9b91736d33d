/**
 * `@chaukas/client/integration`: what every framework integration is built from, in one home.
 * Integrations emit through the client's public builders (with the framework's own times and
 * ids: `startTime`, `endTime`, `time`, `spanId`), guard every callback, and convert framework
 * values leniently. A span emitted when the framework's span ends still gets its children, which
 * start earlier, through `pendingSpanScope`.
 */
export {
  createIntegrationGuard,
  type IntegrationGuard,
} from "./integration/integration-guard.js";
export {
  type LenientJsonOptions,
  toLenientJson,
  toLenientJsonObject,
} from "./integration/lenient-json.js";
export { omitUndefined } from "./integration/omit-undefined.js";
export { pendingSpanScope } from "./integration/pending-span-scope.js";
export { recordedError, unrecordedMessage } from "./integration/recorded-error.js";
