import { createToolCallEvent, newSessionIds } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { batchRequest, createBareConnectClient } from "./connect-es-client.js";
import { startThroughputBackend } from "./throughput-backend.js";
import { DELIVERY } from "./throughput-config.js";
import { measureThroughput } from "./throughput-measure.js";

// A reference for row 2, not a target: the SDK's own stack with no SDK around it (see
// `createBareConnectClient`), sending the same events built by protobuf-es `create` in calls of
// the SDK's batch size, as many in flight and with the same compression. It builds the next
// batch while calls are in flight, as the grpc-js baseline does.
const backend = await startThroughputBackend();
const ids = newSessionIds();
const client = createBareConnectClient(backend.url, {
  gzip: DELIVERY.compression === "gzip",
  compressMinBytes: DELIVERY.compressMinBytes,
});

function nextRequest(first: number, events: number) {
  const batch = [];
  for (let j = 0; j < events; j++) batch.push(createToolCallEvent(ids, first + j));
  return batchRequest(batch);
}

async function send(events: number): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  for (let sent = 0; sent < events; sent += DELIVERY.batchSize) {
    const request = nextRequest(sent, Math.min(DELIVERY.batchSize, events - sent));
    while (inFlight.size >= DELIVERY.callsInFlight) await Promise.race(inFlight);
    const call: Promise<unknown> = client
      .ingestEventBatch(request)
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }
  await Promise.all(inFlight);
}

const result = await measureThroughput(backend, send);
await backend.close();
reportResult(result);
