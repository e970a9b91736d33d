// chaukas.spec.client.v1: ChaukasClientService, the service SDKs call.
export * from "../gen/chaukas/spec/client/v1/client_pb.js";
