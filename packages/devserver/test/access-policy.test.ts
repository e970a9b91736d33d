// Who may reach the devserver: requests must be addressed to an allowed host (against DNS
// rebinding) and come from an allowed origin (against other websites), over every protocol.
// A name that is not loopback is made to reach this machine the way DNS rebinding does: the
// client dials 127.0.0.1 and still sends the name as Host / :authority.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { EventType } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../src/index.js";
import {
  type ClientOptions,
  chaukasClient,
  TRANSPORT_NAMES,
  type TransportName,
} from "./clients.js";
import { makeEvent } from "./fixtures.js";

const REBIND_HOST = "rebind.example";
const EVIL_ORIGIN = "https://evil.example";
const APP_ORIGIN = "https://app.example.test";

const logLines: string[] = [];
/** A server as the CLI starts it by default. */
let server: DevServer;
/** A server widened on purpose: one more host and one more origin. */
let widened: DevServer;

beforeAll(async () => {
  [server, widened] = await Promise.all([
    startDevServer({ logger: { info() {}, error: (line) => logLines.push(line) } }),
    startDevServer({ allowedHosts: [REBIND_HOST], corsOrigins: [APP_ORIGIN] }),
  ]);
  await chaukasClient("grpc (HTTP/2)", server.url).ingestEvent({
    event: makeEvent(EventType.SYSTEM, 1, { eventId: "stored-before" }),
  });
});
afterAll(async () => {
  await Promise.all([server?.close(), widened?.close()]);
});

/** The code and message a call ends with ("ok" when it succeeds). */
async function outcome(call: Promise<unknown>): Promise<{ code: Code | "ok"; message: string }> {
  try {
    await call;
    return { code: "ok", message: "" };
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
}

/** Reads, writes and a health check, with what each one ended with. */
async function readAndWrite(
  transport: TransportName,
  target: DevServer,
  options: ClientOptions & { host?: string },
): Promise<{ code: Code | "ok"; message: string }[]> {
  const url = options.host === undefined ? target.url : `http://${options.host}:${target.port}`;
  const client = chaukasClient(transport, url, options);
  const event = makeEvent(EventType.SYSTEM, 2, {
    eventId: `write-${transport}-${options.host ?? ""}-${options.origin ?? ""}`,
  });
  return [
    await outcome(client.healthz({})),
    await outcome(client.queryEvents({ query: {} })),
    await outcome(client.ingestEvent({ event })),
  ];
}

describe.each(TRANSPORT_NAMES)("the Host check over %s", (transport) => {
  it("serves requests addressed to loopback names", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const results = await readAndWrite(transport, server, { host });
      expect(results.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
    }
  });

  it("refuses another name that reaches this machine, saying which and how to allow it", async () => {
    const sizeBefore = server.store.size;
    const results = await readAndWrite(transport, server, {
      host: REBIND_HOST,
      dialAddress: "127.0.0.1",
    });
    for (const result of results) {
      expect(result.code).toBe(Code.PermissionDenied);
      expect(result.message).toContain(`the host "${REBIND_HOST}:${server.port}" is not allowed`);
      expect(result.message).toContain(`--allowed-host ${REBIND_HOST}`);
    }
    expect(server.store.size).toBe(sizeBefore);
  });

  it("serves that name once it is allowed with allowedHosts", async () => {
    const results = await readAndWrite(transport, widened, {
      host: REBIND_HOST,
      dialAddress: "127.0.0.1",
    });
    expect(results.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
  });
});

describe.each(TRANSPORT_NAMES)("the Origin check over %s", (transport) => {
  it("serves a page on a loopback origin and refuses one on another website", async () => {
    const local = await readAndWrite(transport, server, { origin: "http://localhost:5173" });
    expect(local.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);

    const sizeBefore = server.store.size;
    const evil = await readAndWrite(transport, server, { origin: EVIL_ORIGIN });
    for (const result of evil) {
      expect(result.code).toBe(Code.PermissionDenied);
      expect(result.message).toContain(`the origin "${EVIL_ORIGIN}" is not allowed`);
      expect(result.message).toContain(`--cors-origin ${EVIL_ORIGIN}`);
    }
    expect(server.store.size).toBe(sizeBefore);
  });

  it("serves an origin allowed with corsOrigins", async () => {
    const results = await readAndWrite(transport, widened, { origin: APP_ORIGIN });
    expect(results.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
  });
});

interface Exchange {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request over HTTP/1.1 or HTTP/2 to 127.0.0.1, addressed to `authority`. */
function exchange(
  version: "HTTP/1.1" | "HTTP/2",
  target: DevServer,
  request: { method: string; path: string; authority: string; headers: Record<string, string> },
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const collect = (status: number, headers: Exchange["headers"], body: NodeJS.ReadableStream) => {
      let text = "";
      body.setEncoding("utf8");
      body.on("data", (chunk: string) => {
        text += chunk;
      });
      body.on("end", () => resolve({ status, headers, body: text }));
    };
    if (version === "HTTP/1.1") {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: target.port,
          method: request.method,
          path: request.path,
          headers: { ...request.headers, host: request.authority },
        },
        (res) => collect(res.statusCode ?? 0, res.headers, res),
      );
      req.on("error", reject);
      req.end();
      return;
    }
    const session = http2.connect(`http://127.0.0.1:${target.port}`);
    session.on("error", reject);
    const stream = session.request({
      ":method": request.method,
      ":path": request.path,
      ":authority": request.authority,
      ...request.headers,
    });
    stream.on("error", reject);
    stream.on("response", (headers) => {
      collect(Number(headers[":status"]), headers, stream);
      stream.on("close", () => session.close());
    });
    stream.end();
  });
}

/**
 * The request headers a page asks a preflight about, by the protocol it speaks (a page cannot
 * set `te`, so gRPC proper is not a browser's; its other headers still get an answer).
 */
const PREFLIGHT_HEADERS = [
  { protocol: "Connect", headers: "content-type,connect-protocol-version,authorization" },
  { protocol: "gRPC-web", headers: "content-type,x-grpc-web,x-user-agent,authorization" },
  { protocol: "gRPC", headers: "content-type,grpc-timeout,authorization" },
] as const;

const INGEST_PATH = "/chaukas.spec.client.v1.ChaukasClientService/IngestEvent";

describe.each(["HTTP/1.1", "HTTP/2"] as const)("preflights over %s", (version) => {
  function preflight(
    target: DevServer,
    origin: string,
    headers: string,
    authority?: string,
    extra: Record<string, string> = {},
  ) {
    return exchange(version, target, {
      method: "OPTIONS",
      path: INGEST_PATH,
      authority: authority ?? `127.0.0.1:${target.port}`,
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": headers,
        ...extra,
      },
    });
  }

  it.each(PREFLIGHT_HEADERS)(
    "allows a loopback origin the $protocol headers",
    async ({ headers }) => {
      for (const origin of [
        "http://localhost:5173",
        "http://127.0.0.1:3000",
        "http://[::1]:8080",
      ]) {
        const res = await preflight(server, origin, headers);
        expect(res.status).toBe(204);
        expect(res.headers["access-control-allow-origin"]).toBe(origin);
        const allowed = String(res.headers["access-control-allow-headers"]).toLowerCase();
        for (const header of headers.split(",")) expect(allowed.split(/,\s*/)).toContain(header);
      }
    },
  );

  it.each(PREFLIGHT_HEADERS)(
    "answers another website's $protocol preflight 403, with no CORS header",
    async ({ headers }) => {
      const res = await preflight(server, EVIL_ORIGIN, headers);
      expect(res.status).toBe(403);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
      expect(res.body).toContain(`--cors-origin ${EVIL_ORIGIN}`);
    },
  );

  it("allows an origin listed in corsOrigins, and only on the server that lists it", async () => {
    const headers = PREFLIGHT_HEADERS[0].headers;
    // Chromium asks this of a public page calling a private address (Private Network Access).
    const privateNetwork = { "access-control-request-private-network": "true" };
    const res = await preflight(widened, APP_ORIGIN, headers, undefined, privateNetwork);
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(APP_ORIGIN);
    expect(res.headers["access-control-allow-private-network"]).toBe("true");
    const refused = await preflight(server, APP_ORIGIN, headers, undefined, privateNetwork);
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-private-network"]).toBeUndefined();
  });

  it("refuses an allowed origin's preflight addressed to a host that is not allowed", async () => {
    const res = await preflight(
      server,
      "http://localhost:5173",
      PREFLIGHT_HEADERS[0].headers,
      `${REBIND_HOST}:${server.port}`,
    );
    expect(res.status).toBe(403);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(res.body).toContain(`--allowed-host ${REBIND_HOST}`);
  });

  it("allows the server's own origin, reached by an allowed name", async () => {
    const authority = `${REBIND_HOST}:${widened.port}`;
    const res = await preflight(widened, `http://${authority}`, "content-type", authority);
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(`http://${authority}`);
  });

  it("serves the viewer under a loopback name and refuses it under another, in plain text", async () => {
    const ok = await exchange(version, server, {
      method: "GET",
      path: "/",
      authority: `localhost:${server.port}`,
      headers: {},
    });
    expect(ok.status).not.toBe(403);
    const refused = await exchange(version, server, {
      method: "GET",
      path: "/",
      authority: `${REBIND_HOST}:${server.port}`,
      headers: {},
    });
    expect(refused.status).toBe(403);
    expect(refused.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(refused.body).toContain(`the host "${REBIND_HOST}:${server.port}" is not allowed`);
    expect(refused.body).toContain(`--allowed-host ${REBIND_HOST}`);
  });
});

describe("requests that name no host", () => {
  it("refuses an HTTP/1.0 request without Host", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    let response = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      response += chunk;
    });
    socket.end("GET / HTTP/1.0\r\n\r\n");
    await new Promise((resolve) => socket.once("close", resolve));
    expect(response).toMatch(/^HTTP\/1\.1 403/);
    expect(response).toContain("names no host");
  });
});

describe("the log", () => {
  it("names each refused host and origin once", () => {
    const hostLines = logLines.filter((line) => line.includes(`"${REBIND_HOST}:${server.port}"`));
    const originLines = logLines.filter((line) => line.includes(`"${EVIL_ORIGIN}"`));
    expect(hostLines).toHaveLength(1);
    expect(originLines).toHaveLength(1);
    expect(hostLines[0]).toBe(
      `refused requests addressed to host "${REBIND_HOST}:${server.port}": --allowed-host ${REBIND_HOST} would allow it (logged once)`,
    );
    expect(originLines[0]).toBe(
      `refused requests from origin "${EVIL_ORIGIN}": --cors-origin ${EVIL_ORIGIN} would allow it (logged once)`,
    );
  });
});

describe("listening beyond loopback", () => {
  it("refuses to start on a non-loopback interface without an API key, saying why", async () => {
    await expect(startDevServer({ host: "0.0.0.0" })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without an API key: it is not a loopback address.*--api-key.*--insecure/,
    );
  });

  it("starts there with an API key, or with insecure and a warning", async () => {
    const warnings: string[] = [];
    const withKey = await startDevServer({ host: "0.0.0.0", apiKey: "k" });
    const insecure = await startDevServer({
      host: "0.0.0.0",
      insecure: true,
      logger: { info() {}, error: (line) => warnings.push(line) },
    });
    await Promise.all([withKey.close(), insecure.close()]);
    expect(warnings).toEqual([
      "warning: listening on 0.0.0.0 without an API key (--insecure): every device that can reach it can read and write all stored events",
    ]);
  });

  it("starts on loopback addresses and localhost without either", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const started = await startDevServer({ host });
      await started.close();
    }
  });
});

describe("options", () => {
  it("refuses entries that are not an origin or a host, naming them", async () => {
    await expect(startDevServer({ corsOrigins: ["app.example.test"] })).rejects.toThrow(
      'corsOrigins[0] "app.example.test" is not an origin',
    );
    await expect(startDevServer({ allowedHosts: ["http://devserver"] })).rejects.toThrow(
      'allowedHosts[0] "http://devserver" is not a host name',
    );
  });

  it("warns when CORS or the Host check is opened to everyone", async () => {
    const warnings: string[] = [];
    const open = await startDevServer({
      corsOrigins: ["*"],
      allowedHosts: ["*"],
      logger: { info() {}, error: (line) => warnings.push(line) },
    });
    const results = await readAndWrite("connect (HTTP/1.1, JSON)", open, {
      host: REBIND_HOST,
      dialAddress: "127.0.0.1",
      origin: EVIL_ORIGIN,
    });
    await open.close();
    expect(results.map((r) => r.code)).toEqual(["ok", "ok", "ok"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^warning: CORS is open to every origin/);
    expect(warnings[1]).toMatch(/^warning: the Host check is off/);
  });
});
