import type { JsonInput } from "@chaukas/client";
import { tokenCount } from "@chaukas/client/integration";

/**
 * The token counts `llm_invocation` has no field for, as the END's `metadata`:
 * `cached_tokens` (prompt tokens read from the cache) and `reasoning_tokens` (completion tokens
 * spent on reasoning), each when the API reported it.
 */
export function usageMetadata(cached: unknown, reasoning: unknown): JsonInput {
  const cachedTokens = tokenCount(cached);
  const reasoningTokens = tokenCount(reasoning);
  return {
    ...(cachedTokens === undefined ? {} : { cached_tokens: cachedTokens }),
    ...(reasoningTokens === undefined ? {} : { reasoning_tokens: reasoningTokens }),
  };
}
