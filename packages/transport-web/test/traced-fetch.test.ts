// createTracedFetch against real loopback servers that record what they received: one stands
// for the app's own API (listed in propagateTo), the other for a third party.
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTracedFetch } from "../src/index.js";
import { type RecordingServer, startRecordingServer } from "./support/recording-server.js";

let api: RecordingServer;
let thirdParty: RecordingServer;
let chaukas: ChaukasClient;

beforeAll(async () => {
  [api, thirdParty] = await Promise.all([startRecordingServer(), startRecordingServer()]);
  // The events themselves are not what these tests look at.
  chaukas = createChaukasClient({
    exporter: { export: async () => {} },
    tenantId: "acme",
    projectId: "page",
  });
});

afterAll(async () => {
  await chaukas?.shutdown();
  await Promise.all([api?.close(), thirdParty?.close()]);
});

describe("createTracedFetch", () => {
  it("sends the span's traceparent and session baggage to an allowed origin, for string, URL and Request input", async () => {
    const tracedFetch = createTracedFetch(chaukas, { propagateTo: [api.url] });
    const session = chaukas.startSession();
    const tool = session.toolCallStart({ name: "ask-agent" });
    for (const input of [
      `${api.url}/chat`,
      new URL("/chat", api.url),
      new Request(`${api.url}/chat`),
    ]) {
      await tracedFetch(input, { span: tool });
      expect(api.last().headers).toMatchObject({
        traceparent: `00-${session.traceId}-${tool.spanId}-01`,
        baggage: `chaukas.session_id=${session.id}`,
      });
    }
  });

  it("sends nothing to an origin outside propagateTo, with a span active or given", async () => {
    const tracedFetch = createTracedFetch(chaukas, { propagateTo: [api.url, /\/allowed\//] });
    const session = chaukas.startSession();
    await session.run(() =>
      tracedFetch(`${thirdParty.url}/collect`, { headers: { "x-app": "1" } }),
    );
    await tracedFetch(new Request(`${thirdParty.url}/collect`), { span: session });
    await tracedFetch(new URL(`${thirdParty.url}/other/`), { span: session.context });
    expect(thirdParty.received.length).toBeGreaterThanOrEqual(3);
    for (const request of thirdParty.received.slice(-3)) {
      expect(request.headers.traceparent).toBeUndefined();
      expect(request.headers.baggage).toBeUndefined();
    }
    expect(thirdParty.received.at(-3)?.headers["x-app"]).toBe("1");
    // The RegExp is tested against the full URL: it lets this one through.
    await tracedFetch(`${thirdParty.url}/allowed/`, { span: session });
    expect(thirdParty.last().headers.traceparent).toBe(session.traceparent());
  });

  it("uses the span active when it is called, so scope.run works with the default stack manager", async () => {
    const tracedFetch = createTracedFetch(chaukas, { propagateTo: [api.url] });
    const session = chaukas.startSession();
    await session.run(() => tracedFetch(`${api.url}/active`));
    expect(api.last().headers.traceparent).toBe(session.traceparent());
    // No span active and none given: the request goes out untouched.
    await tracedFetch(`${api.url}/none`);
    expect(api.last().headers.traceparent).toBeUndefined();
  });

  it("keeps the caller's baggage and headers, and changes none of the caller's objects", async () => {
    const tracedFetch = createTracedFetch(chaukas, { propagateTo: [api.url] });
    const session = chaukas.startSession();
    const headers = new Headers({ baggage: "tenant=acme,region=eu", "content-type": "text/plain" });
    const init = { method: "POST", headers, body: "question", span: session };
    await tracedFetch(`${api.url}/ask`, init);
    expect(api.last()).toMatchObject({
      body: "question",
      headers: {
        "content-type": "text/plain",
        baggage: `tenant=acme,region=eu,chaukas.session_id=${session.id}`,
        traceparent: session.traceparent(),
      },
    });
    expect(init).toEqual({ method: "POST", headers, body: "question", span: session });
    expect([...headers]).toEqual([
      ["baggage", "tenant=acme,region=eu"],
      ["content-type", "text/plain"],
    ]);

    const plain = { baggage: "tenant=acme" };
    await tracedFetch(`${api.url}/ask`, { headers: plain, span: session });
    expect(api.last().headers.baggage).toBe(`tenant=acme,chaukas.session_id=${session.id}`);
    expect(plain).toEqual({ baggage: "tenant=acme" });

    const request = new Request(`${api.url}/ask`, {
      method: "POST",
      body: "from a Request",
      headers: { baggage: "tenant=acme" },
    });
    const requestHeaders = [...request.headers];
    await tracedFetch(request, { span: session });
    expect(api.last()).toMatchObject({
      body: "from a Request",
      headers: { baggage: `tenant=acme,chaukas.session_id=${session.id}` },
    });
    expect([...request.headers]).toEqual(requestHeaders);
    expect(request.headers.get("baggage")).toBe("tenant=acme");
  });

  it("takes init.headers over a Request's own, as fetch does", async () => {
    const tracedFetch = createTracedFetch(chaukas, { propagateTo: [api.url] });
    const session = chaukas.startSession();
    const request = new Request(`${api.url}/x`, { headers: { "x-from": "request" } });
    await tracedFetch(request, { headers: { "x-from": "init" }, span: session });
    expect(api.last().headers).toMatchObject({
      "x-from": "init",
      traceparent: session.traceparent(),
    });
  });

  it("propagates nowhere by default outside a browser", async () => {
    const tracedFetch = createTracedFetch(chaukas);
    const session = chaukas.startSession();
    await tracedFetch(`${api.url}/default`, { span: session });
    expect(api.last().headers.traceparent).toBeUndefined();
  });

  it("sends through the fetch it was given, never passing its own option on", async () => {
    const seen: (RequestInit | undefined)[] = [];
    const tracedFetch = createTracedFetch(chaukas, {
      propagateTo: [api.url],
      fetch: (input, init) => {
        seen.push(init);
        return fetch(input, init);
      },
    });
    const session = chaukas.startSession();
    await tracedFetch(`${api.url}/custom`, { span: session });
    // It goes wherever a fetch is expected (the `fetch` option of other SDKs' clients).
    const asFetch: typeof fetch = tracedFetch;
    const untraced = { method: "GET" };
    await session.run(() => asFetch(`${thirdParty.url}/custom`, untraced));
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toHaveProperty("span");
    // A request that is not traced gets the caller's own init, as it was.
    expect(seen[1]).toBe(untraced);
    expect(api.last().headers.traceparent).toBe(session.traceparent());
  });
});
