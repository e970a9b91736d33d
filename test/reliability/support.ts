// What every reliability test needs: a devserver with its fault switches, a client that
// reaches it the way a Node agent does (gRPC over HTTP/2), and ways to read what arrived.
// The pipeline assertions (`expectBalanced`, `checkedEveryStep`, `recordErrors`) are the client
// package's own.
import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import type { DevServer } from "@chaukas/devserver";
import { createNodeTransport, type NodeTransportOptions } from "@chaukas/transport-node";
import { checkedEveryStep } from "../../packages/client/test/pipeline-fixtures.js";

export {
  checkedEveryStep,
  expectBalanced,
  recordErrors,
} from "../../packages/client/test/pipeline-fixtures.js";

/** Options of `clientFor`: the client's own, plus the transport's extras. */
export type TestClientOptions = Partial<Omit<ChaukasClientOptions, "transport">> & {
  readonly transportOptions?: Partial<NodeTransportOptions>;
};

/**
 * A `ChaukasClient` on the Node gRPC transport pointed at `server`. Every option not given
 * keeps the SDK's default, so a test states exactly what it changes. Its stats are checked
 * balanced after every step (`checkedEveryStep`).
 */
export function clientFor(server: DevServer, options: TestClientOptions = {}): ChaukasClient {
  const { transportOptions, ...clientOptions } = options;
  return checkedEveryStep(createChaukasClient, {
    tenantId: "acme",
    projectId: "reliability",
    ...clientOptions,
    transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc", ...transportOptions }),
  });
}

/** Ids of the events the server stored for `sessionId`, in arrival order. */
export function storedIds(server: DevServer, sessionId: string): string[] {
  return server.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .map((e) => e.eventId);
}

/** `IngestEventBatch` calls the server answered with `outcome` ("ok", "unavailable", …). */
export function batchCalls(server: DevServer, outcome: string): number {
  return server.store.calls.byMethodAndCode.IngestEventBatch?.[outcome] ?? 0;
}

/** Every `IngestEventBatch` call the server answered, whatever the outcome. */
export function allBatchCalls(server: DevServer): number {
  return server.store.calls.byMethod.IngestEventBatch ?? 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
