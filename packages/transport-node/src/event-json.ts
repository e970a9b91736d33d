import { type Registry, toJson } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";

/**
 * An event as protobuf JSON with the proto field names (`session_id`, not `sessionId`), the
 * form the Python SDK's file output and the spec's documentation use.
 */
export function eventToJson(event: Event, registry?: Registry): ReturnType<typeof toJson> {
  return toJson(EventSchema, event, {
    useProtoFieldName: true,
    ...(registry !== undefined ? { registry } : {}),
  });
}
