// Security properties a user relies on without thinking about them:
// - the API key never shows up in console output, thrown messages, onError errors or stats();
// - TLS to a server whose certificate is not trusted is refused unless the user trusts it;
// - user-supplied ids, tags and headers cannot inject HTTP headers: CR/LF is either rejected
//   or carried inside the protobuf body, never as a header line.
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as tls from "node:tls";
import { inspect } from "node:util";
import { ChaukasValidationError, WIRE_PROTOCOLS } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import type { Event } from "@chaukas/spec/common/v1";
import {
  createChaukasNodeClient,
  createNodeTransport,
  type NodeTransportProtocol,
} from "@chaukas/transport-node";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateSelfSignedCert } from "../../packages/transport-node/test/support/self-signed-cert.js";
import { clientFor, recordErrors, storedIds } from "./support.js";

const SERVER_KEY = "srv_live_4f9c1e2b7a6d4e3f8a1b2c3d";
const CLIENT_KEY = "sk_live_9d8c7b6a5f4e3d2c1b0a9f8e";
const PROTOCOLS: readonly NodeTransportProtocol[] = WIRE_PROTOCOLS;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  vi.restoreAllMocks();
});

/** Everything written to the console or the standard streams while the spies are on. */
function captureOutput(): { text(): string } {
  const chunks: string[] = [];
  const record = (...args: unknown[]) => {
    chunks.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 8 }))).join(" "));
  };
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, method).mockImplementation(record);
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  return { text: () => chunks.join("\n") };
}

/** Every form an error can be read in: message, String(), util.inspect with cause and metadata. */
function errorText(error: unknown): string {
  const parts = [String(error), inspect(error, { depth: 8, showHidden: true })];
  if (error instanceof ConnectError) {
    parts.push(error.rawMessage, JSON.stringify([...error.metadata.entries()]));
  }
  return parts.join("\n");
}

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("the API key never leaks", () => {
  it("not in console output, thrown messages, onError errors, stats() or the client object, whatever fails", async () => {
    const output = captureOutput();
    const server = await startDevServer({ apiKey: SERVER_KEY, logger: console });
    closers.push(() => server.close());
    const recorder = recordErrors();
    const texts: string[] = [];

    // 1. A wrong key: every batch is refused (UNAUTHENTICATED).
    const chaukas = createChaukasNodeClient({
      baseUrl: server.url,
      apiKey: CLIENT_KEY,
      tenantId: "acme",
      projectId: "sec",
      exitFlush: false,
      onError: recorder.onError,
    });
    const session = chaukas.startSession({ agentId: "a" });
    for (let i = 0; i < 120; i++) session.stateUpdate({ i });
    await chaukas.flush();
    texts.push(errorText(await thrown(() => chaukas.queryPage({ sessionId: session.id }))));
    texts.push(errorText(await thrown(() => chaukas.healthz())));

    // 2. The server goes away: connection errors carry no key either.
    server.faults.down = true;
    await server.faults.settled();
    session.stateUpdate({ after: "down" });
    await chaukas.flush({ timeoutMs: 2000 });
    texts.push(JSON.stringify(chaukas.stats()), inspect(chaukas, { depth: 8, showHidden: true }));
    await chaukas.shutdown({ timeoutMs: 100 });

    // 3. Malformed settings: the error names the setting, never the value.
    texts.push(
      errorText(
        await thrown(() =>
          createNodeTransport({ baseUrl: server.url, apiKey: `${CLIENT_KEY}\r\nx: 1` }),
        ),
      ),
      errorText(
        await thrown(() =>
          createNodeTransport({
            baseUrl: server.url,
            apiKey: CLIENT_KEY,
            headers: { Authorization: `Bearer ${CLIENT_KEY}` },
          }),
        ),
      ),
      errorText(
        await thrown(() =>
          createChaukasNodeClient({ apiKey: CLIENT_KEY, tenantId: "", projectId: "p" }),
        ),
      ),
    );
    const transport = createNodeTransport({ baseUrl: server.url, apiKey: CLIENT_KEY });
    texts.push(inspect(transport, { depth: 8, showHidden: true }), JSON.stringify(transport));

    expect(recorder.errors.length).toBeGreaterThan(1);
    expect(recorder.errors[0]!.error.code).toBe(Code.Unauthenticated);
    for (const { error, info } of recorder.errors)
      texts.push(errorText(error), JSON.stringify(info));
    texts.push(output.text());
    const all = texts.join("\n");
    expect(all).toContain("unauthenticated"); // the captured text is the real thing
    for (const secret of [CLIENT_KEY, SERVER_KEY]) {
      expect(all.includes(secret), `${secret} leaked`).toBe(false);
    }
  });
});

/**
 * A TLS front for the devserver with a self-signed certificate nobody trusts: it terminates
 * TLS (ALPN h2 or http/1.1) and pipes the plaintext to the devserver's port.
 */
async function startTlsFront(
  server: DevServer,
  cert: { cert: string; key: string },
): Promise<string> {
  const front = tls.createServer(
    { ...cert, ALPNProtocols: ["h2", "http/1.1"] },
    (socket: tls.TLSSocket) => {
      const upstream = net.connect(server.port, "127.0.0.1");
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    },
  );
  const sockets = new Set<net.Socket>();
  front.on("secureConnection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        front.close(() => resolve());
      }),
  );
  return `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
}

describe("TLS with an untrusted certificate", () => {
  const cert = generateSelfSignedCert();

  it.each(PROTOCOLS)(
    "%s: refused by default, nothing reaches the server; accepted once the certificate is given as `ca`",
    async (protocol) => {
      const server = await startDevServer();
      closers.push(() => server.close());
      const url = await startTlsFront(server, cert);

      const recorder = recordErrors();
      const refused = clientFor(server, {
        onError: recorder.onError,
        transportOptions: { baseUrl: url, protocol },
      });
      const s1 = refused.startSession({ agentId: "a" });
      for (let i = 0; i < 10; i++) s1.stateUpdate({ i });
      await refused.flush({ timeoutMs: 10_000 });
      await refused.shutdown({ timeoutMs: 100 });
      expect(recorder.errors.length).toBeGreaterThan(0);
      expect(errorText(recorder.errors[0]!.error)).toMatch(/self[- ]signed|certificate/i);
      expect(server.store.received).toBe(0);
      expect(server.store.calls.total).toBe(0);
      expect(refused.stats().sent).toBe(0);

      // The same server, trusted explicitly: the test above could have failed.
      const trusted = clientFor(server, {
        transportOptions: { baseUrl: url, protocol, tls: { ca: cert.cert } },
      });
      const s2 = trusted.startSession({ agentId: "a" });
      for (let i = 0; i < 10; i++) s2.stateUpdate({ i });
      expect(await trusted.shutdown()).toEqual({ completed: true, pending: 0 });
      expect(storedIds(server, s2.id)).toHaveLength(11);
    },
    30_000,
  );
});

/** A Chaukas backend that records every request's headers and stores the events it gets. */
async function startHeaderRecordingBackend(): Promise<{
  http1Url: string;
  http2Url: string;
  headers: Headers[];
  events: Event[];
}> {
  const headers: Headers[] = [];
  const events: Event[] = [];
  const recordHeaders: Interceptor = (next) => (req) => {
    headers.push(new Headers(req.header));
    return next(req);
  };
  const handler = connectNodeAdapter({
    interceptors: [recordHeaders],
    routes: (router) =>
      router.service(ChaukasClientService, {
        ingestEventBatch(req) {
          events.push(...(req.eventBatch?.events ?? []));
          return {};
        },
      }),
  });
  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => sessions.add(s));
  await new Promise<void>((resolve) => h1.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    h1.closeAllConnections();
    for (const s of sessions) s.destroy();
    await Promise.all([
      new Promise((resolve) => h1.close(resolve)),
      new Promise((resolve) => h2.close(resolve)),
    ]);
  });
  const port = (s: net.Server) => (s.address() as AddressInfo).port;
  return {
    http1Url: `http://127.0.0.1:${port(h1)}`,
    http2Url: `http://127.0.0.1:${port(h2)}`,
    headers,
    events,
  };
}

const INJECTION = "\r\nx-injected: yes";

describe("header injection through user-supplied values", () => {
  it("headers and API keys with CR, LF or NUL are refused when the transport is created, without echoing them", () => {
    const baseUrl = "http://127.0.0.1:9";
    const attempts = [
      () => createNodeTransport({ baseUrl, headers: { "x-team": `blue${INJECTION}` } }),
      () => createNodeTransport({ baseUrl, headers: { "x-team": "nul\0" } }),
      () => createNodeTransport({ baseUrl, headers: { "x-team\r\nx-injected": "yes" } }),
      () => createNodeTransport({ baseUrl, headers: { "x team:": "yes" } }),
      () => createNodeTransport({ baseUrl, apiKey: `key${INJECTION}` }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ChaukasValidationError);
      expect(String((error as Error).message)).not.toContain("x-injected: yes");
    }
  });

  it.each([
    ["grpc", "2"],
    ["connect", "1.1"],
    ["connect", "2"],
    ["grpc-web", "1.1"],
    ["grpc-web", "2"],
  ] as const)(
    "%s over HTTP/%s: ids, tags, branch and traceparent with CR/LF travel inside the protobuf body, never as headers",
    async (protocol, httpVersion) => {
      const backend = await startHeaderRecordingBackend();
      const baseUrl = httpVersion === "2" ? backend.http2Url : backend.http1Url;
      const recorder = recordErrors();
      const chaukas = createChaukasNodeClient({
        baseUrl,
        protocol,
        httpVersion,
        exitFlush: false,
        tenantId: `acme${INJECTION}`,
        projectId: `bot${INJECTION}`,
        branch: `main${INJECTION}`,
        tags: [`team${INJECTION}`],
        onError: recorder.onError,
      });
      const hostileTraceparent = `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01${INJECTION}`;
      const session = chaukas.startSession({
        sessionId: `session${INJECTION}`,
        agentId: `agent${INJECTION}`,
        agentName: `Agent${INJECTION}`,
        traceparent: hostileTraceparent,
        tags: [`t${INJECTION}`],
        invocationId: `inv${INJECTION}`,
        metadata: { [`key${INJECTION}`]: `value${INJECTION}` },
      });
      // An invalid traceparent starts a new trace; what the session hands out stays W3C-clean.
      expect(session.traceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      const id = session.toolCallStart({
        name: `search${INJECTION}`,
        id: `call${INJECTION}`,
      }).toolCallId;
      session.end();
      expect(await chaukas.shutdown()).toEqual({ completed: true, pending: 0 });
      expect(recorder.errors).toEqual([]);

      // Never as headers: no header line was added, no header value carries CR, LF or NUL.
      expect(backend.headers.length).toBeGreaterThan(0);
      for (const headers of backend.headers) {
        expect(headers.has("x-injected")).toBe(false);
        headers.forEach((value, name) => {
          expect(`${name}: ${value}`).not.toMatch(/[\r\n\0]|x-injected/);
        });
      }
      // Inside the body, byte for byte.
      expect(backend.events).toHaveLength(3); // SESSION_START, TOOL_CALL_START, SESSION_END
      const start = backend.events[0]!;
      expect(start).toMatchObject({
        tenantId: `acme${INJECTION}`,
        projectId: `bot${INJECTION}`,
        branch: `main${INJECTION}`,
        sessionId: `session${INJECTION}`,
        agentId: `agent${INJECTION}`,
        agentName: `Agent${INJECTION}`,
        invocationId: `inv${INJECTION}`,
        tags: [`team${INJECTION}`, `t${INJECTION}`],
      });
      expect(start.metadata).toEqual({ [`key${INJECTION}`]: `value${INJECTION}` });
      expect(id).toBe(`call${INJECTION}`);
    },
    30_000,
  );

  it("a builder given a non-string id is refused with ChaukasValidationError, not stringified into anything", () => {
    const chaukas = createChaukasNodeClient({
      baseUrl: "http://127.0.0.1:9",
      exitFlush: false,
      tenantId: "acme",
      projectId: "bot",
    });
    const header = { toString: () => `x${INJECTION}` };
    expect(() => chaukas.startSession({ sessionId: header as never })).toThrow(
      ChaukasValidationError,
    );
    expect(() => chaukas.system({ message: "m", tags: [header as never] })).toThrow(
      ChaukasValidationError,
    );
  });
});
