import { equals } from "@bufbuild/protobuf";
import { type ChaukasClient, type ChaukasClientOptions, WIRE_PROTOCOLS } from "@chaukas/client";
import { startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { Code, type ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runSupportAgent } from "../../../examples/node-agent/src/agent.js";
import { createChaukasNodeClient } from "../src/node-client.js";
import type { NodeTransportOptions } from "../src/node-transport.js";
import { type GrpcJsBackend, startGrpcJsBackend } from "./support/grpc-js-backend.js";
import { generateSelfSignedCert } from "./support/self-signed-cert.js";

type DevServer = Awaited<ReturnType<typeof startDevServer>>;

interface RecordedRun {
  readonly chaukas: ChaukasClient;
  readonly sessionId: string;
  /** Every event as it left the client (after `beforeSend`), in emission order. */
  readonly sent: Event[];
  readonly errors: ConnectError[];
}

/** Runs the quickstart agent (no simulated waiting) and shuts the client down. */
async function runRecorded(
  options: NodeTransportOptions & Partial<ChaukasClientOptions>,
): Promise<RecordedRun> {
  const sent: Event[] = [];
  const errors: ConnectError[] = [];
  const chaukas = createChaukasNodeClient({
    tenantId: "acme",
    projectId: "support-bot",
    exitFlush: false,
    beforeSend: (event) => {
      sent.push(event);
      return event;
    },
    onError: (error) => errors.push(error),
    ...options,
  });
  const { sessionId } = await runSupportAgent(chaukas, { pace: 0 });
  await chaukas.shutdown({ timeoutMs: 5000 });
  return { chaukas, sessionId, sent, errors };
}

const ALL_TYPES = Object.values(EventType).filter(
  (v): v is EventType => typeof v === "number" && v !== EventType.UNSPECIFIED,
);

function expectSameEvents(received: readonly Event[], sent: readonly Event[]): void {
  const byId = new Map(received.map((e) => [e.eventId, e]));
  expect(byId.size).toBe(sent.length);
  for (const event of sent) {
    const got = byId.get(event.eventId);
    expect(got, `event ${event.eventId} (${EventType[event.type]})`).toBeDefined();
    expect(equals(EventSchema, got!, event), `event ${event.eventId} differs`).toBe(true);
  }
}

describe("the quickstart session against the devserver", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ port: 0 });
  });
  afterAll(() => server.close());

  it.each(WIRE_PROTOCOLS)("round-trips field-for-field over %s", async (protocol) => {
    const run = await runRecorded({ baseUrl: server.url, protocol });
    expect(new Set(run.sent.map((e) => e.type))).toEqual(new Set(ALL_TYPES));
    expect(run.chaukas.stats()).toMatchObject({ sent: run.sent.length, failed: 0 });

    const back: Event[] = [];
    for await (const event of run.chaukas.query({ sessionId: run.sessionId })) {
      back.push(event);
    }
    expectSameEvents(back, run.sent);
  });
});

describe("the quickstart session against @grpc/grpc-js", () => {
  let backend: GrpcJsBackend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });
  const tls = generateSelfSignedCert();
  const apiKey = "ck_test_0123456789abcdef";

  it("receives every event intact over gRPC/HTTP2", async () => {
    backend = await startGrpcJsBackend();
    const run = await runRecorded({ baseUrl: backend.url });
    expectSameEvents(backend.events, run.sent);
  });

  it("receives every event intact over TLS with bearer auth", async () => {
    backend = await startGrpcJsBackend({ tls, apiKey });
    const run = await runRecorded({ baseUrl: backend.url, apiKey, tls: { ca: tls.cert } });
    expect(run.errors).toEqual([]);
    expectSameEvents(backend.events, run.sent);
  });

  it("gets UNAUTHENTICATED for a wrong key and does not retry it", async () => {
    backend = await startGrpcJsBackend({ tls, apiKey });
    const wrongKey = "ck_test_wrong_wrong_wrong";
    const run = await runRecorded({
      baseUrl: backend.url,
      apiKey: wrongKey,
      tls: { ca: tls.cert },
    });

    expect(backend.events).toHaveLength(0);
    expect(backend.ingestCalls).toBe(1);
    expect(run.chaukas.stats()).toMatchObject({ failed: run.sent.length, sent: 0, retried: 0 });
    expect(run.errors.map((e) => e.code)).toEqual([Code.Unauthenticated]);
    expect(run.errors.map((e) => `${e.message} ${JSON.stringify(e)}`).join()).not.toContain(
      wrongKey,
    );
  });

  it("refuses a server whose certificate it does not trust", async () => {
    backend = await startGrpcJsBackend({ tls, apiKey });
    const run = await runRecorded({ baseUrl: backend.url, apiKey });
    expect(backend.ingestCalls).toBe(0);
    expect(run.chaukas.stats().sent).toBe(0);
    expect(run.errors[0]?.message).toMatch(/self[- ]signed certificate/i);
  });
});
