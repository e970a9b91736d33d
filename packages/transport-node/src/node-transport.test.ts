// createNodeTransport refuses bad options when it is created, naming the option.
import { inspect } from "node:util";
import { ChaukasValidationError, WIRE_PROTOCOLS } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { createNodeTransport } from "./node-transport.js";

const configError = (fn: () => unknown): ChaukasValidationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChaukasValidationError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a ChaukasValidationError");
};

describe("createNodeTransport option checks", () => {
  it.each([
    ["apiKey", { apiKey: "ck_live_abc\r\nx-evil: 1" }],
    ['headers["x-team"]', { headers: { "x-team": "support\nx-evil: 1" } }],
  ])("rejects a line break in %s, naming the option and not the value", (field, extra) => {
    const error = configError(() =>
      createNodeTransport({ baseUrl: "http://127.0.0.1:1", ...extra }),
    );
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain("ck_live_abc");
    expect(error.message).not.toContain("x-evil");
  });

  it.each(["grpc", "connect", "grpc-web", "rest"] as const)(
    "checks the headers the same way over %s",
    (protocol) => {
      const error = configError(() =>
        createNodeTransport({
          baseUrl: "http://127.0.0.1:1",
          protocol,
          headers: { "x-team": "a\r\nx-evil: 1" },
        }),
      );
      expect(error.field).toBe('headers["x-team"]');
    },
  );

  it("rejects a header name that is not an HTTP token", () => {
    const error = configError(() =>
      createNodeTransport({ baseUrl: "http://127.0.0.1:1", headers: { "x team": "a" } }),
    );
    expect(error.field).toBe('headers["x team"]');
  });

  it("rejects an apiKey together with an authorization header", () => {
    const error = configError(() =>
      createNodeTransport({
        baseUrl: "http://127.0.0.1:1",
        apiKey: "k",
        headers: { Authorization: "Basic x" },
      }),
    );
    expect(error.field).toBe("headers.Authorization");
  });

  it.each(["localhost:50051", "grpc://localhost:50051", ""])("rejects baseUrl %j", (baseUrl) => {
    expect(configError(() => createNodeTransport({ baseUrl })).field).toBe("baseUrl");
  });

  it("rejects an unknown protocol", () => {
    const error = configError(() =>
      createNodeTransport({ baseUrl: "http://127.0.0.1:1", protocol: "http2" as "grpc" }),
    );
    expect(error.message).toContain("grpc, connect, grpc-web");
  });

  it("rejects TLS options on a plaintext URL instead of silently ignoring them", () => {
    const error = configError(() =>
      createNodeTransport({ baseUrl: "http://127.0.0.1:1", tls: { ca: "pem" } }),
    );
    expect(error.field).toBe("tls");
  });

  it.each(WIRE_PROTOCOLS)(
    "never exposes the api key through the %s transport object",
    (protocol) => {
      const apiKey = "ck_live_do_not_print_me";
      const transport = createNodeTransport({ baseUrl: "http://127.0.0.1:1", protocol, apiKey });
      const views = [
        JSON.stringify(transport),
        String(transport),
        inspect(transport, { depth: 10 }),
      ];
      for (const view of views) {
        expect(view).not.toContain(apiKey);
      }
    },
  );
});
