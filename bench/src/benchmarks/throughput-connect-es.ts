import { literalToolCallEvent, newSessionIds } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { sendInCalls } from "./calls-in-flight.js";
import { batchRequest, createBareConnectClient } from "./connect-es-client.js";
import { startThroughputBackend } from "./throughput-backend.js";
import { DELIVERY } from "./throughput-config.js";
import { measureThroughput } from "./throughput-measure.js";

// A reference for row 2, not a target: the SDK's own stack with no SDK around it (see
// `createBareConnectClient`), sending the same events, built as object literals the way the
// SDK's builders make them, in calls of the SDK's batch size, as many in flight and with the
// same compression. It builds the next batch while calls are in flight, as the grpc-js baseline
// does. What it costs is about the least any client on this stack can cost.
const backend = await startThroughputBackend();
const ids = newSessionIds();
const client = createBareConnectClient(backend.url, {
  gzip: DELIVERY.compression === "gzip",
  compressMinBytes: DELIVERY.compressMinBytes,
});

function nextRequest(first: number, events: number) {
  const batch = [];
  for (let j = 0; j < events; j++) batch.push(literalToolCallEvent(ids, first + j));
  return batchRequest(batch);
}

const send = (events: number) =>
  sendInCalls(events, DELIVERY, nextRequest, (request) => client.ingestEventBatch(request));

const result = await measureThroughput(backend, send);
await backend.close();
reportResult(result);
