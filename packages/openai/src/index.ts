export { WRAP_OPENAI_DEFAULTS, type WrapOpenAIOptions } from "./options.js";
export { wrapOpenAI } from "./wrap-openai.js";
