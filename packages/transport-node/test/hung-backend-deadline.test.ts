// A backend that accepts a call and never answers: each protocol cuts the export at the
// transport's one deadline, which the server is told too.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { type ChaukasClient, createChaukasClient, type ExportErrorInfo } from "@chaukas/client";
import { Code, type ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeTransport, type NodeTransportProtocol } from "../src/index.js";

const DEADLINE_MS = 300;

/** Request headers each hung server received, by protocol family. */
const received: IncomingHttpHeaders[] = [];
let http1: Server;
let http2: Http2Server;
const http2Sessions = new Set<{ destroy(): void }>();

beforeAll(async () => {
  // Both keep the call open and never answer: a backend that hangs.
  http1 = createServer((request) => {
    received.push(request.headers);
    request.resume();
  });
  http2 = createHttp2Server();
  http2.on("session", (session) => {
    http2Sessions.add(session);
    // The client cancels the stream at its deadline; that is expected, not a failure.
    session.on("error", () => {});
  });
  http2.on("stream", (stream, headers) => {
    received.push(headers);
    stream.on("error", () => {});
    stream.resume();
  });
  await Promise.all([
    new Promise<void>((resolve) => http1.listen(0, "127.0.0.1", resolve)),
    new Promise<void>((resolve) => http2.listen(0, "127.0.0.1", resolve)),
  ]);
});

afterAll(async () => {
  for (const session of http2Sessions) session.destroy();
  http1.closeAllConnections();
  await Promise.all([
    new Promise((resolve) => http1.close(resolve)),
    new Promise((resolve) => http2.close(resolve)),
  ]);
});

const urlOf = (server: Server | Http2Server) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("a hung backend is cut at the transport's timeoutMs", () => {
  it.each([
    ["grpc", "grpc-timeout", `${DEADLINE_MS}m`],
    ["connect", "connect-timeout-ms", `${DEADLINE_MS}`],
    ["grpc-web", "grpc-timeout", `${DEADLINE_MS}m`],
    ["rest", undefined, undefined],
  ] as [NodeTransportProtocol, string | undefined, string | undefined][])(
    "over %s",
    async (protocol, header, value) => {
      const transport = createNodeTransport({
        baseUrl: urlOf(protocol === "grpc" ? http2 : http1),
        protocol,
        timeoutMs: DEADLINE_MS,
      });
      expect(transport.timeoutMs).toBe(DEADLINE_MS);
      const errors: [ConnectError, ExportErrorInfo][] = [];
      const chaukas: ChaukasClient = createChaukasClient({
        transport,
        tenantId: "t",
        projectId: "p",
        reportLoss: false,
        retry: { maxAttempts: 1 },
        onError: (error, info) => errors.push([error, info]),
      });
      const before = received.length;
      chaukas.startSession({ agentId: "a" });
      expect(await chaukas.flush()).toEqual({ completed: true, pending: 0 });
      expect(errors).toHaveLength(1);
      expect(errors[0]![0].code).toBe(Code.DeadlineExceeded);
      expect(chaukas.stats()).toMatchObject({ sent: 0, failed: 1 });
      // The server was told the same deadline (REST has no header for it).
      expect(received.length).toBe(before + 1);
      if (header !== undefined) expect(received.at(-1)![header]).toBe(value);
      await chaukas.shutdown();
    },
  );
});
