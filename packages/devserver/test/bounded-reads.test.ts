// Requests no SDK would send: oversized bodies must be refused while they are read, with the
// server's memory staying flat, and undecodable ones must be the client's error
// (INVALID_ARGUMENT), whichever protocol and HTTP version carried them.
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { IngestEventRequestSchema } from "@chaukas/spec/client/v1";
import { EventType } from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_SERVER_DEFAULTS, type DevServer, startDevServer } from "../src/index.js";
import { makeEvent } from "./fixtures.js";
import {
  createHttp1Sender,
  createHttp2Sender,
  envelope,
  messageOf,
  outcomeOf,
  protocolHeaders,
  type RawRequest,
  type RawResponse,
  SERVICE_PATH,
} from "./support/raw-rpc.js";
import { type ServerProcess, startServerProcess } from "./support/server-child.js";

const MiB = 1024 * 1024;
/** 64 MiB of zeros, gzipped to about 64 KiB. */
const GZIP_BOMB = gzipSync(Buffer.alloc(64 * MiB));
const INGEST_EVENT = `${SERVICE_PATH}/IngestEvent`;

/** `size` bytes of one JSON IngestEventRequest whose tags fill it, in 64 KiB chunks. */
async function* bigJsonBody(size: number): AsyncIterable<Uint8Array> {
  const head = Buffer.from('{"event":{"event_id":"big","tags":["');
  const tail = Buffer.from('"]}}');
  const filler = Buffer.alloc(64 * 1024, "a");
  yield head;
  let left = size - head.length - tail.length;
  while (left > 0) {
    const chunk = filler.subarray(0, Math.min(left, filler.length));
    left -= chunk.length;
    yield chunk;
  }
  yield tail;
}

/** `size` payload bytes behind one envelope header that announces them all. */
async function* bigEnvelopeBody(size: number): AsyncIterable<Uint8Array> {
  const header = new Uint8Array(5);
  new DataView(header.buffer).setUint32(1, size);
  yield header;
  const filler = new Uint8Array(64 * 1024);
  for (let left = size; left > 0; left -= filler.length) {
    yield filler.subarray(0, Math.min(left, filler.length));
  }
}

function answered(response: RawResponse | "reset"): RawResponse {
  if (response === "reset") throw new Error("the server reset the stream instead of answering");
  return response;
}

describe("a request body far over the read limit (server in its own process, memory measured)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.close();
  });

  const size = 50 * 1000 * 1000;
  const cases: [string, "1.1" | "2", () => Omit<RawRequest, "path">][] = [
    [
      "Connect JSON with content-length, HTTP/1.1",
      "1.1",
      () => ({
        headers: { ...protocolHeaders("connect", true), "content-length": String(size) },
        body: bigJsonBody(size),
      }),
    ],
    [
      "Connect JSON, chunked (no length given), HTTP/1.1",
      "1.1",
      () => ({ headers: protocolHeaders("connect", true), body: bigJsonBody(size) }),
    ],
    [
      "Connect JSON with content-length, HTTP/2",
      "2",
      () => ({
        headers: { ...protocolHeaders("connect", true), "content-length": String(size) },
        body: bigJsonBody(size),
      }),
    ],
    [
      "gRPC-web, one envelope announcing 50 MB, HTTP/2",
      "2",
      () => ({ headers: protocolHeaders("grpc-web"), body: bigEnvelopeBody(size) }),
    ],
    [
      "gRPC-web, one envelope announcing 50 MB, HTTP/1.1",
      "1.1",
      () => ({ headers: protocolHeaders("grpc-web"), body: bigEnvelopeBody(size) }),
    ],
    [
      "Connect, a gzip bomb (64 MiB of zeros in 64 KiB), HTTP/1.1",
      "1.1",
      () => ({
        headers: { ...protocolHeaders("connect"), "content-encoding": "gzip" },
        body: GZIP_BOMB,
      }),
    ],
    [
      "gRPC, a gzip bomb in one compressed envelope, HTTP/2",
      "2",
      () => ({
        headers: { ...protocolHeaders("grpc"), "grpc-encoding": "gzip" },
        body: envelope(GZIP_BOMB, { flags: 1 }),
      }),
    ],
    [
      "gRPC, one envelope announcing 50 MB, HTTP/2",
      "2",
      () => ({ headers: protocolHeaders("grpc"), body: bigEnvelopeBody(size) }),
    ],
  ];

  it.each(cases)(
    "is refused with RESOURCE_EXHAUSTED while being read, the server's peak memory flat: %s",
    async (_, httpVersion, request) => {
      const before = await server.memory();
      const sender =
        httpVersion === "2" ? createHttp2Sender(server.url) : createHttp1Sender(server.url);
      try {
        const response = answered(await sender.send({ path: INGEST_EVENT, ...request() }));
        expect(outcomeOf(response)).toBe("resource_exhausted");
        expect(messageOf(response)).toContain("larger than configured readMaxBytes");
      } finally {
        sender.close();
      }
      const after = await server.memory();
      // At most the read limit (16 MiB) is ever held, twice while zlib joins its output,
      // plus slack for the runtime: never the 50 MB sent or the 64 MiB a bomb inflates to.
      expect(after.maxRss - before.maxRss).toBeLessThan(
        2 * DEV_SERVER_DEFAULTS.maxRequestBytes + 16 * MiB,
      );
      expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * MiB);
      expect(server.alive()).toBe(true);
    },
  );

  // The HTTP routes beside the RPCs read their bodies under the same limit.
  const restCases: [string, "1.1" | "2", () => RawRequest][] = [
    [
      "public REST JSON to /v1/events/batch, chunked, HTTP/1.1",
      "1.1",
      () => ({
        path: "/v1/events/batch",
        headers: { "content-type": "application/json" },
        body: bigJsonBody(size),
      }),
    ],
    [
      "chaukas-sdk protobuf to /events/batch, chunked, HTTP/1.1",
      "1.1",
      () => ({
        path: "/events/batch",
        headers: { "content-type": "application/x-protobuf" },
        body: bigEnvelopeBody(size),
      }),
    ],
    [
      "chaukas-sdk protobuf to /events with content-length, HTTP/2",
      "2",
      () => ({
        path: "/events",
        headers: { "content-type": "application/x-protobuf", "content-length": String(size) },
        body: bigEnvelopeBody(size),
      }),
    ],
    [
      "public REST, a gzip bomb (64 MiB of zeros in 64 KiB), HTTP/1.1",
      "1.1",
      () => ({
        path: "/v1/events",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: GZIP_BOMB,
      }),
    ],
  ];

  it.each(restCases)(
    "is refused with 413 while being read, the server's peak memory flat: %s",
    async (_, httpVersion, request) => {
      const before = await server.memory();
      const sender =
        httpVersion === "2" ? createHttp2Sender(server.url) : createHttp1Sender(server.url);
      try {
        const response = answered(await sender.send(request()));
        expect(response.status).toBe(413);
        expect(outcomeOf(response)).toBe("resource_exhausted");
      } finally {
        sender.close();
      }
      const after = await server.memory();
      expect(after.maxRss - before.maxRss).toBeLessThan(
        2 * DEV_SERVER_DEFAULTS.maxRequestBytes + 16 * MiB,
      );
      expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * MiB);
      expect(server.alive()).toBe(true);
    },
  );
});

describe.each(["1.1", "2"] as const)("undecodable requests over HTTP/%s", (httpVersion) => {
  let server: DevServer;
  let sender: ReturnType<typeof createHttp1Sender>;
  beforeAll(async () => {
    server = await startDevServer({ maxRequestBytes: MiB });
    sender = httpVersion === "2" ? createHttp2Sender(server.url) : createHttp1Sender(server.url);
  });
  afterAll(async () => {
    sender?.close();
    await server?.close();
  });

  const valid = toBinary(
    IngestEventRequestSchema,
    create(IngestEventRequestSchema, { event: makeEvent(EventType.SYSTEM, 1) }),
  );
  const malformed = new Uint8Array([0x0a, 0xff, 0xff, 0xff]);
  const cut = valid.subarray(0, Math.floor(valid.length / 2));
  const framed: [string, Uint8Array, string][] = [
    ["a malformed protobuf message", envelope(malformed), "invalid_argument"],
    ["a message cut in half", envelope(cut), "invalid_argument"],
    [
      "a length prefix longer than the body",
      envelope(valid, { length: valid.length + 100 }),
      "invalid_argument",
    ],
    [
      "a length prefix with no payload at all",
      envelope(new Uint8Array(), { length: 100 }),
      "invalid_argument",
    ],
    ["a truncated envelope header", new Uint8Array([0, 0, 0]), "invalid_argument"],
    [
      "two messages for a unary method",
      new Uint8Array([...envelope(valid), ...envelope(valid)]),
      "invalid_argument",
    ],
    ["an empty body", new Uint8Array(), "invalid_argument"],
    [
      "a length prefix over maxRequestBytes",
      envelope(new Uint8Array(), { length: 0xffffffff }),
      "resource_exhausted",
    ],
  ];

  it.each(["grpc", "grpc-web"] as const)(
    "%s: answers each malformed frame with its code",
    async (protocol) => {
      const sizeBefore = server.store.size;
      for (const [what, body, expected] of framed) {
        const response = answered(
          await sender.send({ path: INGEST_EVENT, headers: protocolHeaders(protocol), body }),
        );
        expect(outcomeOf(response), what).toBe(expected);
      }
      expect(server.store.size).toBe(sizeBefore);
    },
  );

  it("connect: answers malformed protobuf and JSON with INVALID_ARGUMENT (HTTP 400)", async () => {
    const bodies: [string, Uint8Array, boolean][] = [
      ["a malformed protobuf message", malformed, false],
      ["a message cut in half", cut, false],
      ["JSON that does not parse", Buffer.from('{"event": '), true],
      ["JSON of the wrong shape", Buffer.from('{"event": [1, 2]}'), true],
    ];
    for (const [what, body, json] of bodies) {
      const response = answered(
        await sender.send({ path: INGEST_EVENT, headers: protocolHeaders("connect", json), body }),
      );
      expect(outcomeOf(response), what).toBe("invalid_argument");
      expect(response.status, what).toBe(400);
    }
  });
});
