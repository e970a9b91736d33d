import { ChaukasValidationError } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { CHAUKAS_CALLBACK_HANDLER_DEFAULTS, resolveOptions } from "./handler-options.js";

describe("the handler's options", () => {
  it("fills in the defaults", () => {
    expect(resolveOptions({})).toEqual(CHAUKAS_CALLBACK_HANDLER_DEFAULTS);
    expect(resolveOptions({ recordOutputs: false, tags: ["a"] })).toMatchObject({
      recordInputs: true,
      recordOutputs: false,
      tags: ["a"],
    });
  });

  it("refuses bad values with an error naming the option", () => {
    const bad: [string, object][] = [
      ["recordInputs", { recordInputs: "yes" }],
      ["background", { background: 1 }],
      ["tags", { tags: "a" }],
      ["agentName", { agentName: "" }],
      ["onError", { onError: "log" }],
    ];
    for (const [field, options] of bad) {
      expect(() => resolveOptions(options)).toThrow(ChaukasValidationError);
      expect(() => resolveOptions(options)).toThrow(field);
    }
  });
});
