// chaukas.spec.server.v1: ChaukasServerService, the backend-side variant.
export * from "../gen/chaukas/spec/server/v1/server_pb.js";
