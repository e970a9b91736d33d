import { context as otelContext, propagation, trace } from "@opentelemetry/api";
import { W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import type { SpanContext } from "../builders/context-manager.js";
import { BAGGAGE_LIMITS, SESSION_BAGGAGE_KEY } from "./baggage.js";
import { extract, inject } from "./propagation.js";

const span: SpanContext = {
  sessionId: "019a0000-0000-7000-8000-000000000001",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
};

describe("inject", () => {
  it("writes traceparent and the session as baggage into Headers, a header object and MCP _meta", () => {
    const headers = inject(new Headers(), span);
    expect(headers.get("traceparent")).toBe(`00-${span.traceId}-${span.spanId}-01`);
    expect(headers.get("baggage")).toBe(`chaukas.session_id=${span.sessionId}`);
    const object = inject({} as Record<string, unknown>, span);
    expect(object).toEqual({
      traceparent: `00-${span.traceId}-${span.spanId}-01`,
      baggage: `chaukas.session_id=${span.sessionId}`,
    });
    const meta = inject({ progressToken: 1 } as Record<string, unknown>, span);
    expect(meta.progressToken).toBe(1);
    expect(extract(meta)).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      flags: 1,
      sessionId: span.sessionId,
    });
  });

  it("merges with baggage already there, replacing only its own entry", () => {
    const headers = new Headers({
      Baggage: "userId=alice, chaukas.session_id=old;p=1,isProd=false",
    });
    inject(headers, span);
    expect(headers.get("baggage")).toBe(
      `userId=alice,isProd=false,chaukas.session_id=${span.sessionId}`,
    );
    const object: Record<string, unknown> = { Baggage: "a=1" };
    inject(object, span);
    expect(object).toEqual({
      traceparent: `00-${span.traceId}-${span.spanId}-01`,
      baggage: `a=1,chaukas.session_id=${span.sessionId}`,
    });
  });

  it("percent-encodes a session id that baggage cannot carry as it is", () => {
    const headers = inject(new Headers(), { ...span, sessionId: "a b,c;d=e" });
    expect(headers.get("baggage")).toBe("chaukas.session_id=a%20b%2Cc%3Bd%3De");
    expect(extract(headers)?.sessionId).toBe("a b,c;d=e");
  });

  it("writes nothing without a span", () => {
    expect(inject({}, undefined)).toEqual({});
  });
});

describe("extract", () => {
  it("reads Node's header object and a Fetch Headers alike", () => {
    const traceparent = `00-${span.traceId}-${span.spanId}-00`;
    const baggage = `k=v,${SESSION_BAGGAGE_KEY}=s-1`;
    const expected = { traceId: span.traceId, spanId: span.spanId, flags: 0, sessionId: "s-1" };
    expect(extract({ traceparent, baggage })).toEqual(expected);
    expect(extract(new Headers({ traceparent, baggage }))).toEqual(expected);
  });

  it.each([
    ["no traceparent", { baggage: "chaukas.session_id=s" }],
    ["upper-case hex", { traceparent: `00-${span.traceId.toUpperCase()}-${span.spanId}-01` }],
    ["all-zero trace id", { traceparent: `00-${"0".repeat(32)}-${span.spanId}-01` }],
    ["version ff", { traceparent: `ff-${span.traceId}-${span.spanId}-01` }],
    [
      "two headers joined",
      { traceparent: `00-${span.traceId}-${span.spanId}-01, 00-${span.traceId}-${span.spanId}-01` },
    ],
    ["an array (repeated header)", { traceparent: [`00-${span.traceId}-${span.spanId}-01`] }],
    ["oversized", { traceparent: `01-${span.traceId}-${span.spanId}-01-${"x".repeat(1000)}` }],
    ["garbage", { traceparent: "\u0000\uffff%%%" }],
  ])("%s: no context, no throw", (_, carrier) => {
    expect(extract(carrier as Record<string, unknown>)).toBeUndefined();
  });

  it.each([
    ["oversized baggage", `${"k=v,".repeat(BAGGAGE_LIMITS.maxBytes / 4)}chaukas.session_id=s`],
    ["too many members", `${"k=v,".repeat(BAGGAGE_LIMITS.maxMembers)}chaukas.session_id=s`],
    ["a bad escape", "chaukas.session_id=%E0%A4%A"],
    ["a control character", "chaukas.session_id=a%0Ab"],
    ["an overlong id", `chaukas.session_id=${"s".repeat(257)}`],
    ["an empty id", "chaukas.session_id="],
    ["a blank id", "chaukas.session_id=%20%20"],
  ])("%s: the trace is kept, the session is not", (_, baggage) => {
    const remote = extract({ traceparent: `00-${span.traceId}-${span.spanId}-01`, baggage });
    expect(remote).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      flags: 1,
      sessionId: undefined,
    });
  });

  it("never throws on carriers that are not carriers", () => {
    expect(extract(undefined)).toBeUndefined();
    expect(extract(null)).toBeUndefined();
    const hostile = {
      get traceparent(): string {
        throw new Error("getter");
      },
    };
    expect(extract(hostile)).toBeUndefined();
  });
});

describe("interop with OpenTelemetry JS's W3C propagators", () => {
  const traceContext = new W3CTraceContextPropagator();
  const baggage = new W3CBaggagePropagator();
  const setter = {
    set: (c: Record<string, string>, k: string, v: string) => {
      c[k] = v;
    },
  };
  const getter = {
    get: (c: Record<string, string>, k: string) => c[k],
    keys: (c: Record<string, string>) => Object.keys(c),
  };

  it("reads what OTel writes", () => {
    let ctx = trace.setSpanContext(otelContext.active(), {
      traceId: span.traceId,
      spanId: span.spanId,
      traceFlags: 1,
    });
    ctx = propagation.setBaggage(
      ctx,
      propagation.createBaggage({
        [SESSION_BAGGAGE_KEY]: { value: span.sessionId },
        tenant: { value: "acme" },
      }),
    );
    const carrier: Record<string, string> = {};
    traceContext.inject(ctx, carrier, setter);
    baggage.inject(ctx, carrier, setter);
    expect(extract(carrier)).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      flags: 1,
      sessionId: span.sessionId,
    });
  });

  it("writes what OTel reads, and keeps the baggage OTel put there", () => {
    const carrier: Record<string, string> = { baggage: "tenant=acme" };
    inject(carrier, { ...span, sessionId: "a b" });
    const ctx = baggage.extract(
      traceContext.extract(otelContext.active(), carrier, getter),
      carrier,
      getter,
    );
    expect(trace.getSpanContext(ctx)).toMatchObject({
      traceId: span.traceId,
      spanId: span.spanId,
      traceFlags: 1,
      isRemote: true,
    });
    const entries = propagation.getBaggage(ctx);
    expect(entries?.getEntry(SESSION_BAGGAGE_KEY)?.value).toBe("a b");
    expect(entries?.getEntry("tenant")?.value).toBe("acme");
  });
});
