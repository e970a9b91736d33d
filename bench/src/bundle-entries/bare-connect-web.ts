// Row 3's floor: the bare client the transport-web bundle budget compares against
// (packages/transport-web/scripts/bundle-entries/bare.ts); keep the two the same.
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

const client = createClient(
  ChaukasClientService,
  createConnectTransport({ baseUrl: "https://ingest.example.com", useBinaryFormat: true }),
);
const event = create(EventSchema, {
  eventId: crypto.randomUUID(),
  type: EventType.INPUT_RECEIVED,
  timestamp: timestampNow(),
  tenantId: "acme",
  projectId: "chat-ui",
  sessionId: crypto.randomUUID(),
  content: { case: "message", value: { text: "hi" } },
});
await client.ingestEventBatch({ eventBatch: { batchId: crypto.randomUUID(), events: [event] } });
const page = await client.queryEvents({
  query: { filter: { tenantId: "acme", sessionId: event.sessionId } },
});
for (const e of page.response?.events ?? []) console.log(e.type);
