import { create } from "@bufbuild/protobuf";
import { ChaukasValidationError, keepaliveContextKey } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { Code, ConnectError, createClient, createContextValues } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createChaukasWebClient,
  createWebTransport,
  KEEPALIVE_BUDGET_BYTES,
} from "../src/index.js";

const API_KEY = "s3cret-key";
let devserver: DevServer;

beforeAll(async () => {
  devserver = await startDevServer({ port: 0, apiKey: API_KEY });
});

afterAll(async () => {
  await devserver?.close();
});

/** Node's own fetch, recording the keepalive flag each request was sent with. */
function recordingFetch(): { fetch: typeof globalThis.fetch; keepalive: (boolean | undefined)[] } {
  const keepalive: (boolean | undefined)[] = [];
  return {
    keepalive,
    fetch: (input, init) => {
      keepalive.push(init?.keepalive);
      return globalThis.fetch(input, init);
    },
  };
}

function inputEvent(text: string) {
  return create(EventSchema, {
    eventId: crypto.randomUUID(),
    type: EventType.INPUT_RECEIVED,
    tenantId: "acme",
    projectId: "web-transport-test",
    sessionId: "s-1",
    content: { case: "message", value: { text } },
  });
}

describe.each(["connect", "grpc-web", "rest"] as const)(
  "createWebTransport over %s",
  (protocol) => {
    it("authenticates with apiKey as a bearer token", async () => {
      const client = createClient(
        ChaukasClientService,
        createWebTransport({ baseUrl: devserver.url, protocol, apiKey: API_KEY }),
      );
      await expect(client.healthz({})).resolves.toBeDefined();
    });

    it("surfaces a missing key as UNAUTHENTICATED", async () => {
      const client = createClient(
        ChaukasClientService,
        createWebTransport({ baseUrl: devserver.url, protocol }),
      );
      const error = await client.healthz({}).catch((e: unknown) => ConnectError.from(e));
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Unauthenticated);
    });

    it("sends calls marked with keepaliveContextKey with fetch keepalive, others without", async () => {
      const recorder = recordingFetch();
      const client = createClient(
        ChaukasClientService,
        createWebTransport({
          baseUrl: devserver.url,
          protocol,
          apiKey: API_KEY,
          fetch: recorder.fetch,
        }),
      );
      const event = inputEvent("kept alive");
      await client.ingestEventBatch(
        { eventBatch: { batchId: crypto.randomUUID(), events: [event] } },
        { contextValues: createContextValues().set(keepaliveContextKey, true) },
      );
      await client.healthz({});
      expect(recorder.keepalive).toEqual([true, undefined]);
      expect(devserver.store.get(event.eventId)?.content).toMatchObject({
        value: { text: "kept alive" },
      });
    });

    it("sends a body over the 64 KiB keepalive budget without keepalive, so it is not refused", async () => {
      const recorder = recordingFetch();
      const client = createClient(
        ChaukasClientService,
        createWebTransport({
          baseUrl: devserver.url,
          protocol,
          apiKey: API_KEY,
          fetch: recorder.fetch,
        }),
      );
      const event = inputEvent("x".repeat(KEEPALIVE_BUDGET_BYTES));
      await client.ingestEventBatch(
        { eventBatch: { batchId: crypto.randomUUID(), events: [event] } },
        { contextValues: createContextValues().set(keepaliveContextKey, true) },
      );
      expect(recorder.keepalive).toEqual([undefined]);
      expect(devserver.store.get(event.eventId)).toBeDefined();
    });
  },
);

describe("createWebTransport options", () => {
  it.each([
    [{ apiKey: "abc\r\nx-injected: 1" }, "apiKey", /without CR, LF or NUL/],
    [{ headers: { "x-team": "a\nb" } }, 'headers["x-team"]', /without CR, LF or NUL/],
    [{ headers: { "bad name": "v" } }, 'headers["bad name"]', /an HTTP header name/],
    [{ apiKey: "k", headers: { Authorization: "Basic x" } }, "headers.Authorization", /not both/],
    [{ protocol: "grpc" as never }, "protocol", /expected "connect" or "grpc-web"/],
    [{ timeoutMs: 0 }, "timeoutMs", /a positive number/],
  ])(
    "rejects %o when the transport is created, naming the option %s",
    (options, field, message) => {
      let thrown: unknown;
      try {
        createWebTransport({ baseUrl: devserver.url, ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ChaukasValidationError);
      expect(thrown).toMatchObject({ field, message: expect.stringMatching(message) });
    },
  );

  it("does not repeat the API key in its error", () => {
    expect(() => createWebTransport({ baseUrl: devserver.url, apiKey: "top-secret\n" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("top-secret") }),
    );
  });

  it("sends extra headers on every call", async () => {
    const seen: (string | null)[] = [];
    const client = createClient(
      ChaukasClientService,
      createWebTransport({
        baseUrl: devserver.url,
        apiKey: API_KEY,
        headers: { "X-Team": "support" },
        fetch: (input, init) => {
          seen.push(new Headers(init?.headers).get("x-team"));
          return globalThis.fetch(input, init);
        },
      }),
    );
    await client.healthz({});
    expect(seen).toEqual(["support"]);
  });
});

describe('createChaukasWebClient({ protocol: "rest" })', () => {
  it("sends to /v1/events/batch and queries /v1/query of a REST backend", async () => {
    const paths: string[] = [];
    const chaukas = createChaukasWebClient({
      baseUrl: devserver.url,
      protocol: "rest",
      apiKey: API_KEY,
      tenantId: "acme",
      projectId: "web-client-rest",
      fetch: (input, init) => {
        paths.push(`${init?.method} ${new URL(String(input)).pathname}`);
        return globalThis.fetch(input, init);
      },
    });
    const session = chaukas.startSession({ agentId: "chat" });
    session.inputReceived({ text: "over rest" });
    session.end();
    await chaukas.flush();
    const types: EventType[] = [];
    for await (const event of chaukas.query({ sessionId: session.id })) types.push(event.type);
    await chaukas.shutdown();
    expect(types.sort()).toEqual(
      [EventType.SESSION_START, EventType.INPUT_RECEIVED, EventType.SESSION_END].sort(),
    );
    expect(paths).toEqual(["POST /v1/events/batch", "POST /v1/query"]);
  });
});
