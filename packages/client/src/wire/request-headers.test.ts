import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { createRequestHeaderInterceptors, type RequestHeaderOptions } from "./request-headers.js";

/** The headers a Connect service receives from a transport with these options. */
async function receivedHeaders(options: RequestHeaderOptions): Promise<Headers> {
  let received = new Headers();
  const transport = createRouterTransport(
    (router) =>
      router.service(ChaukasClientService, {
        healthz: (_request, context) => {
          received = context.requestHeader;
          return {};
        },
      }),
    { transport: { interceptors: createRequestHeaderInterceptors(options) } },
  );
  await createClient(ChaukasClientService, transport).healthz({});
  return received;
}

function thrownBy(fn: () => unknown): ChaukasValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChaukasValidationError) return error;
    throw error;
  }
  throw new Error("expected a ChaukasValidationError");
}

describe("createRequestHeaderInterceptors", () => {
  it("sends the bearer token and the extra headers on every call", async () => {
    const headers = await receivedHeaders({ apiKey: "k-123", headers: { "X-Team": "support" } });
    expect(headers.get("authorization")).toBe("Bearer k-123");
    expect(headers.get("x-team")).toBe("support");
  });

  it.each([
    [{ apiKey: "k\r\nx-injected: 1" }, "apiKey", "without CR, LF or NUL"],
    [{ headers: { "x-team": "a\0b" } }, 'headers["x-team"]', "without CR, LF or NUL"],
    [{ headers: { "x team": "a" } }, 'headers["x team"]', "an HTTP header name"],
    [{ headers: { "x-team": 7 as never } }, 'headers["x-team"]', "a string"],
    [{ apiKey: "k", headers: { Authorization: "Basic x" } }, "headers.Authorization", "not both"],
  ] as [RequestHeaderOptions, string, string][])(
    "refuses %o naming %s, without repeating the value",
    (options, field, expected) => {
      const error = thrownBy(() => createRequestHeaderInterceptors(options));
      expect(error.field).toBe(field);
      expect(error.message).toContain(expected);
      expect(error.message).not.toContain("x-injected");
    },
  );
});
