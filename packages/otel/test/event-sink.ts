import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { createAsyncLocalStorageContextManager } from "@chaukas/transport-node";

/** A Chaukas client whose exporter keeps every event it is sent, in order. */
export function createEventSink(): {
  chaukas: ChaukasClient;
  events: () => Promise<Event[]>;
} {
  const received: Event[] = [];
  const chaukas = createChaukasClient({
    tenantId: "acme",
    projectId: "otel",
    contextManager: createAsyncLocalStorageContextManager(),
    exporter: {
      async export(batch) {
        received.push(...batch.events);
      },
    },
  });
  return {
    chaukas,
    async events() {
      await chaukas.flush();
      return [...received];
    },
  };
}

/** An event type's name: "MODEL_INVOCATION_START". */
export const typeName = (event: Event): string => EventType[event.type];
