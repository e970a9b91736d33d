/** @internal For `@chaukas/claude-agent-sdk`, whose turns are Anthropic Messages. */
export { messagesOperation } from "./messages.js";
export { WRAP_ANTHROPIC_DEFAULTS, type WrapAnthropicOptions } from "./options.js";
export { wrapAnthropic } from "./wrap-anthropic.js";
