import { ChaukasValidationError } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { createPropagationMatcher, ownOrigin } from "./propagation-targets.js";

const matches = (targets: Parameters<typeof createPropagationMatcher>[0], url: string) =>
  createPropagationMatcher(targets)(new URL(url));

describe("propagation targets", () => {
  it("an origin matches that origin exactly, any path, and nothing that only starts like it", () => {
    for (const target of ["https://api.example.com", "https://API.example.com/"]) {
      expect(matches([target], "https://api.example.com/chat?q=1")).toBe(true);
      expect(matches([target], "https://api.example.com.evil.test/")).toBe(false);
      expect(matches([target], "https://api.example.com:8443/")).toBe(false);
      expect(matches([target], "http://api.example.com/")).toBe(false);
      expect(matches([target], "https://api.example.com@evil.test/")).toBe(false);
      expect(matches([target], "https://evil.test/?https://api.example.com")).toBe(false);
    }
    expect(matches(["http://localhost:8"], "http://localhost:8080/")).toBe(false);
  });

  it("a URL prefix matches URLs starting with it on the same origin", () => {
    const prefix = ["https://api.example.com/agent/"];
    expect(matches(prefix, "https://api.example.com/agent/chat")).toBe(true);
    expect(matches(prefix, "https://api.example.com/other")).toBe(false);
    expect(matches(prefix, "https://evil.test/https://api.example.com/agent/")).toBe(false);
  });

  it("a RegExp is tested against the full URL, the same way on every call (g and y ignored)", () => {
    const pattern = /^https:\/\/[a-z]+\.example\.com\//g;
    expect(matches([pattern], "https://eu.example.com/x")).toBe(true);
    const matcher = createPropagationMatcher([pattern]);
    const url = new URL("https://us.example.com/");
    expect([matcher(url), matcher(url), matcher(url)]).toEqual([true, true, true]);
    expect(pattern.lastIndex).toBe(0);
    expect(matches([/example\.com/], "https://evil.test/?example.com")).toBe(true);
  });

  it("nothing matches an empty list", () => {
    expect(matches([], "https://api.example.com/")).toBe(false);
  });

  it.each([
    ["a bare host", ["api.example.com"], "propagateTo[0]"],
    ["a relative path", ["https://ok.example.com", "/api"], "propagateTo[1]"],
    ["another scheme", ["ftp://files.example.com"], "propagateTo[0]"],
    ["a number", [42], "propagateTo[0]"],
    ["not an array", "https://api.example.com", "propagateTo"],
  ])("%s is a ChaukasValidationError naming the entry", (_, targets, field) => {
    const create = () => createPropagationMatcher(targets as never);
    expect(create).toThrow(ChaukasValidationError);
    expect(create).toThrow(expect.objectContaining({ field }));
  });

  it("outside a browser there is no own origin", () => {
    expect(ownOrigin()).toBeUndefined();
  });
});
