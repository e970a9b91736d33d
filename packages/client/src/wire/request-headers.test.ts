// Request headers: the checks every path that sends a user's headers goes through.
import { create } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventBatchSchema } from "@chaukas/spec/common/v1";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { createConnectExporter } from "./connect-exporter.js";
import {
  checkRequestHeaders,
  createRequestHeaderInterceptors,
  type RequestHeaderOptions,
} from "./request-headers.js";

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

describe("every path that sends a user's headers checks them the same way", () => {
  const transport = createRouterTransport(() => {});
  const INJECTED = "v\r\nx-injected: 1";

  it.each([
    ["a record", { "x-team": INJECTED }],
    ["[name, value] pairs", [["x-team", INJECTED]]],
  ] as [string, HeadersInit][])("createConnectExporter refuses CR/LF in %s", (_, headers) => {
    const error = thrownBy(() => createConnectExporter(transport, { headers }));
    expect(error.field).toBe('headers["x-team"]');
    expect(error.message).toContain("without CR, LF or NUL");
    expect(error.message).not.toContain("x-injected");
  });

  it("createConnectExporter refuses a header name that is not an HTTP token", () => {
    expect(
      thrownBy(() => createConnectExporter(transport, { headers: { "x team": "a" } })).field,
    ).toBe('headers["x team"]');
  });

  it("createConnectExporter sends the headers it was given", async () => {
    let received = new Headers();
    const router = createRouterTransport((r) =>
      r.service(ChaukasClientService, {
        ingestEventBatch: (_request, context) => {
          received = context.requestHeader;
          return {};
        },
      }),
    );
    const exporter = createConnectExporter(router, { headers: [["x-team", "support"]] });
    await exporter.export(create(EventBatchSchema), { signal: new AbortController().signal });
    expect(received.get("x-team")).toBe("support");
  });

  it("checkRequestHeaders reads a Headers object, pairs and a record alike", () => {
    const pairs = [["x-a", "1"]];
    expect(checkRequestHeaders("headers", new Headers({ "x-a": "1" }))).toEqual(pairs);
    expect(checkRequestHeaders("headers", [["x-a", "1"]])).toEqual(pairs);
    expect(checkRequestHeaders("headers", { "x-a": "1" })).toEqual(pairs);
    expect(checkRequestHeaders("headers", undefined)).toEqual([]);
    expect(thrownBy(() => checkRequestHeaders("headers", [["x-a"]] as never)).field).toBe(
      "headers",
    );
  });
});
