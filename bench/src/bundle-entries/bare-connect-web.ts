// The same calls written by hand on connect-web + protobuf-es, no SDK: the size floor.
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

const client = createClient(
  ChaukasClientService,
  createConnectTransport({ baseUrl: "http://localhost:50051", useBinaryFormat: true }),
);
const sessionId = crypto.randomUUID();
const event = create(EventSchema, {
  eventId: crypto.randomUUID(),
  tenantId: "acme",
  projectId: "support-bot",
  sessionId,
  type: EventType.TOOL_CALL_START,
  status: EventStatus.STARTED,
  timestamp: timestampNow(),
  content: {
    case: "toolCall",
    value: { name: "search", arguments: { q: "refund policy", k: 5 } },
  },
});
await client.healthz({});
await client.getCapabilities({});
await client.ingestEventBatch({
  eventBatch: { batchId: crypto.randomUUID(), timestamp: timestampNow(), events: [event] },
});
const page = await client.queryEvents({ query: { filter: { sessionId }, pageSize: 100 } });
for (const e of page.response?.events ?? []) {
  console.log(e.eventId);
}
