// A backend that accepts a call and never answers: the web transport cuts each export at its one
// deadline (`timeoutMs`), over every protocol, and tells the server that deadline.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createChaukasClient, type ExportErrorInfo } from "@chaukas/client";
import { Code, type ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebTransport, WEB_TRANSPORT_DEFAULTS, type WebProtocol } from "../src/index.js";

const DEADLINE_MS = 300;
const received: IncomingHttpHeaders[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((request) => {
    received.push(request.headers);
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("a hung backend is cut at the web transport's timeoutMs", () => {
  it("defaults to WEB_TRANSPORT_DEFAULTS.timeoutMs", () => {
    expect(createWebTransport({ baseUrl: "http://127.0.0.1:1" }).timeoutMs).toBe(
      WEB_TRANSPORT_DEFAULTS.timeoutMs,
    );
  });

  it.each([
    ["connect", "connect-timeout-ms", `${DEADLINE_MS}`],
    ["grpc-web", "grpc-timeout", `${DEADLINE_MS}m`],
    ["rest", undefined, undefined],
  ] as [WebProtocol, string | undefined, string | undefined][])(
    "over %s",
    async (protocol, header, value) => {
      const transport = createWebTransport({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        protocol,
        timeoutMs: DEADLINE_MS,
      });
      expect(transport.timeoutMs).toBe(DEADLINE_MS);
      const errors: [ConnectError, ExportErrorInfo][] = [];
      const chaukas = createChaukasClient({
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
      expect(errors.map(([error]) => error.code)).toEqual([Code.DeadlineExceeded]);
      expect(chaukas.stats()).toMatchObject({ sent: 0, failed: 1 });
      expect(received.length).toBe(before + 1);
      if (header !== undefined) expect(received.at(-1)![header]).toBe(value);
      await chaukas.shutdown();
    },
  );
});
