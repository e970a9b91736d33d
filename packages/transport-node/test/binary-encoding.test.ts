// createNodeTransport carries the generated exact-size encoder: a Node client sends its events
// with it to a real loopback backend (connect-node over HTTP/2), which decodes each event's bytes
// equal to what protobuf-es toBinary gives.
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { toBinary } from "@bufbuild/protobuf";
import {
  type ChaukasClient,
  createChaukasClient,
  createConnectExporter,
  PreEncodedIngestEventBatchRequestSchema,
} from "@chaukas/client";
import { encodeEventList } from "@chaukas/client/binary-encoding";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeTransport } from "../src/node-transport.js";

/** Each event's bytes as the backend received them, decoded with the events left as bytes. */
const received: Uint8Array[] = [];
let server: Http2Server;
const sessions = new Set<ServerHttp2Session>();
let baseUrl: string;

beforeAll(async () => {
  const routes = (router: ConnectRouter) =>
    router.rpc(
      {
        ...ChaukasClientService.method.ingestEventBatch,
        input: PreEncodedIngestEventBatchRequestSchema,
      },
      (request) => {
        // connect-node hands them over as Buffers: compared as plain bytes.
        for (const bytes of request.eventBatch?.events ?? []) received.push(new Uint8Array(bytes));
        return {};
      },
    );
  server = createServer(connectNodeAdapter({ routes }));
  // The client keeps its HTTP/2 session open; closing the server waits for it.
  server.on("session", (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("createNodeTransport's event encoder", () => {
  it("is the generated encoder, which the Connect exporter uses", () => {
    const exporter = createConnectExporter(createNodeTransport({ baseUrl }));
    expect(exporter.encodeEvents).toBe(encodeEventList);
  });

  it("sends every event byte-identical to toBinary", async () => {
    received.length = 0;
    const sent: Event[] = [];
    const errors: unknown[] = [];
    const chaukas: ChaukasClient = createChaukasClient({
      transport: createNodeTransport({ baseUrl }),
      tenantId: "acme",
      projectId: "support-bot",
      reportLoss: false,
      beforeSend: (event) => {
        sent.push(event);
        return event;
      },
      onError: (error) => errors.push(error),
    });
    // Two flushes: the first batch teaches the exporter the binary format, the second goes as the
    // encoder's bytes. Structs, non-ASCII text, numbers, nested lists and an error.
    for (const round of [1, 2]) {
      const model = chaukas.modelInvocationStart({ provider: "openai", model: "gpt-4o" });
      const tool = chaukas.toolCallStart({
        name: "lookup",
        arguments: {
          round,
          query: "naïve café 日本 🙂",
          limit: 2.5,
          nested: { list: [1, null, true] },
        },
      });
      tool.end({ output: { hits: [round, "ok"] } });
      chaukas.error(new Error(`round ${round} failed`));
      model.end();
      await chaukas.flush();
    }
    await chaukas.shutdown();

    expect(errors).toEqual([]);
    expect(sent.length).toBeGreaterThan(4);
    expect(received).toEqual(sent.map((event) => toBinary(EventSchema, event)));
  });
});
