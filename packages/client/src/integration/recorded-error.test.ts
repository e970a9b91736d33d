import { describe, expect, it } from "vitest";
import { recordedError } from "./recorded-error.js";

class ProviderError extends Error {
  override name = "AI_APICallError";
}

describe("recordedError", () => {
  it("keeps an error's message, code and stack when outputs are recorded", () => {
    const error = Object.assign(new Error("rate limited for alice@example.com"), { code: 429 });
    expect(recordedError(error, true)).toEqual({
      message: "rate limited for alice@example.com",
      code: 429,
      stack: error.stack,
    });
  });

  it("uses the error's name as its code when it has none", () => {
    expect(recordedError(new ProviderError("down"), true)).toMatchObject({
      message: "down",
      code: "AI_APICallError",
    });
  });

  it("keeps only the error's kind without recordOutputs: message and stack may quote content", () => {
    const init = recordedError(new ProviderError("no user alice@example.com"), false);
    expect(init).toEqual({
      message: "AI_APICallError (message not recorded: recordOutputs is false)",
      code: "AI_APICallError",
    });
    expect(recordedError("alice@example.com", false).message).not.toContain("alice");
  });

  it("describes thrown values that are not errors", () => {
    expect(recordedError("plain string", true)).toEqual({ message: "plain string" });
    expect(recordedError({ message: "object with a message" }, true)).toEqual({
      message: "object with a message",
    });
    expect(recordedError(new Error(""), true).message).toBe("Error");
  });

  it("adds what the caller knows about recovery", () => {
    expect(
      recordedError(new Error("x"), true, { recoverable: true, recoveryAction: "retry" }),
    ).toMatchObject({ recoverable: true, recoveryAction: "retry" });
  });
});
