export {
  ChaukasCallbackHandler,
  type ChaukasCallbackHandlerStats,
} from "./callback-handler.js";
export {
  type CallbackName,
  CHAUKAS_CALLBACK_HANDLER_DEFAULTS,
  type ChaukasCallbackHandlerOptions,
} from "./handler-options.js";
export type { GraphLifecycleEvent, InterruptLike } from "./langgraph.js";
export { type ChaukasTarget, SESSION_ID_METADATA_KEY } from "./root-scope.js";
