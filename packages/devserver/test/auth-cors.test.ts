import { request } from "node:http";
import { EventType } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, ERROR_REASON_METADATA_KEY, startDevServer } from "../src/index.js";
import { chaukasClient, TRANSPORT_NAMES } from "./clients.js";
import { makeEvent } from "./fixtures.js";

const API_KEY = "sk-devserver-test-7f3a9c";
const logLines: string[] = [];
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({
    apiKey: API_KEY,
    maxBatchEvents: 2,
    logger: { info: (line) => logLines.push(line), error: (line) => logLines.push(line) },
  });
});
afterAll(async () => {
  await server.close();
});

async function codeOf(call: Promise<unknown>): Promise<{ code: Code | "ok"; message: string }> {
  try {
    await call;
    return { code: "ok", message: "" };
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.message };
  }
}

describe.each(TRANSPORT_NAMES)("with an API key, over %s", (transportName) => {
  it("refuses calls without the key or with a wrong one, and serves the right one", async () => {
    const event = makeEvent(EventType.SYSTEM, 1, { eventId: `auth-${transportName}` });
    const anonymous = chaukasClient(transportName, server.url);
    const wrong = chaukasClient(transportName, server.url, { apiKey: "sk-wrong" });
    const right = chaukasClient(transportName, server.url, { apiKey: API_KEY });

    for (const client of [anonymous, wrong]) {
      const results = [
        await codeOf(client.healthz({})),
        await codeOf(client.ingestEvent({ event })),
        await codeOf(client.queryEvents({ query: {} })),
      ];
      for (const result of results) {
        expect(result.code).toBe(Code.Unauthenticated);
        expect(result.message).not.toContain(API_KEY);
      }
    }
    expect(server.store.get(event.eventId)).toBeUndefined();

    expect((await codeOf(right.ingestEvent({ event }))).code).toBe("ok");
    expect(server.store.get(event.eventId)).toBeDefined();
  });
});

describe("accounting and logs", () => {
  it("counts refused calls by code and never logs the key", () => {
    const calls = server.store.calls;
    // 2 refused clients × 3 calls × 3 transports; 3 accepted ingests.
    expect(calls.byCode.unauthenticated).toBe(18);
    expect(calls.byMethodAndCode.IngestEvent?.ok).toBe(3);
    expect(logLines.join("\n")).not.toContain(API_KEY);
    expect(logLines.some((line) => line.startsWith("ingest event SYSTEM → ok"))).toBe(true);
  });
});

/** A raw HTTP/1.1 request, as a browser's fetch would make it. */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("CORS for a page on a local origin", () => {
  const path = "/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch";
  // A local app on another port, as the examples run: a loopback origin, allowed by default.
  const origin = "http://localhost:3000";

  it("answers the preflight without the key and allows the headers the transports send", async () => {
    const res = await rawRequest("OPTIONS", path, {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers":
        "content-type,connect-protocol-version,authorization,x-grpc-web",
    });
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(origin);
    expect(String(res.headers["access-control-allow-methods"])).toContain("POST");
    const allowed = String(res.headers["access-control-allow-headers"]).toLowerCase().split(/,\s*/);
    for (const header of [
      "content-type",
      "connect-protocol-version",
      "authorization",
      "x-grpc-web",
    ]) {
      expect(allowed).toContain(header);
    }
  });

  it("lets the page read the error metadata the client acts on", async () => {
    const events = [1, 2, 3].map((i) => makeEvent(EventType.SYSTEM, 100 + i));
    const body = JSON.stringify({
      eventBatch: {
        events: events.map((e) => ({ eventId: e.eventId, type: "EVENT_TYPE_SYSTEM" })),
      },
    });
    const res = await rawRequest(
      "POST",
      path,
      {
        Origin: origin,
        "Content-Type": "application/json",
        "Connect-Protocol-Version": "1",
        Authorization: `Bearer ${API_KEY}`,
      },
      body,
    );
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body).code).toBe("resource_exhausted");
    expect(res.headers["access-control-allow-origin"]).toBe(origin);
    expect(res.headers[ERROR_REASON_METADATA_KEY]).toBe("batch-too-large");
    const exposed = String(res.headers["access-control-expose-headers"]).toLowerCase();
    expect(exposed).toContain(ERROR_REASON_METADATA_KEY);
    expect(exposed).toContain("grpc-status");
  });
});
