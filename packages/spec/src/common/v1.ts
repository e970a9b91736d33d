// chaukas.spec.common.v1: events, batches, query filters and capabilities.
export * from "../gen/chaukas/spec/common/v1/events_pb.js";
export * from "../gen/chaukas/spec/common/v1/query_pb.js";
