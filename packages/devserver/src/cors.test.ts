import { describe, expect, it } from "vitest";
import { isOriginAllowed, parseCorsOrigins } from "./cors.js";

describe("isOriginAllowed", () => {
  it("allows loopback origins on any port, http or https", () => {
    for (const origin of [
      "http://localhost:5173",
      "http://127.0.0.1:3000",
      "http://[::1]:8080",
      "https://localhost",
      "http://app.localhost:5173",
    ]) {
      expect(isOriginAllowed(origin, "127.0.0.1:50051", [])).toBe(true);
    }
  });

  it("allows the server's own origin, whatever host it was reached by", () => {
    expect(isOriginAllowed("http://devbox.lan:50051", "devbox.lan:50051", [])).toBe(true);
    expect(isOriginAllowed("http://devbox.lan", "devbox.lan:80", [])).toBe(true);
    expect(isOriginAllowed("http://devbox.lan:3000", "devbox.lan:50051", [])).toBe(false);
  });

  it("refuses every other origin unless it is listed", () => {
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "http://10.0.0.5:3000",
      "null",
      "file://",
      "chrome-extension://abcdef",
    ]) {
      expect(isOriginAllowed(origin, "127.0.0.1:50051", [])).toBe(false);
    }
    const listed = parseCorsOrigins(["https://app.example.test"]);
    expect(isOriginAllowed("https://app.example.test", "127.0.0.1:50051", listed)).toBe(true);
    expect(isOriginAllowed("http://app.example.test", "127.0.0.1:50051", listed)).toBe(false);
    expect(isOriginAllowed("https://app.example.test:8443", "127.0.0.1:50051", listed)).toBe(false);
    expect(isOriginAllowed("null", "127.0.0.1:50051", ["*"])).toBe(true);
  });
});

describe("parseCorsOrigins", () => {
  it("normalises origins as a browser sends them", () => {
    expect(parseCorsOrigins(["HTTPS://App.Example.Test/", "http://a.test:80", "*"])).toEqual([
      "https://app.example.test",
      "http://a.test",
      "*",
    ]);
  });

  it("names the entry that is not an origin", () => {
    for (const bad of ["app.example.test", "https://a.test/path", "https://a.test?x=1", "null"]) {
      expect(() => parseCorsOrigins(["https://ok.test", bad])).toThrow(
        `corsOrigins[1] "${bad}" is not an origin`,
      );
    }
  });
});
