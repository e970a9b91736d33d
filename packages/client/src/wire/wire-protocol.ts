/**
 * The wire protocols a Chaukas backend speaks: gRPC (HTTP/2), Connect and gRPC-web, each with a
 * connect-es transport, and the spec's public REST API (`openapi-public.yaml`, JSON over HTTP),
 * with `createRestTransport` from `@chaukas/client/rest`. Node can speak all four; a fetch
 * runtime cannot speak gRPC (it needs HTTP/2 trailers), so `@chaukas/transport-web` offers the
 * other three.
 */
export const WIRE_PROTOCOLS = ["grpc", "connect", "grpc-web", "rest"] as const;

/** One of `WIRE_PROTOCOLS`. */
export type WireProtocol = (typeof WIRE_PROTOCOLS)[number];
