/**
 * The wire protocols a Chaukas backend speaks, each with a connect-es transport: gRPC (HTTP/2),
 * Connect and gRPC-web. Node can speak all three; a fetch runtime cannot speak gRPC (it needs
 * HTTP/2 trailers), so `@chaukas/transport-web` offers the other two.
 */
export const WIRE_PROTOCOLS = ["grpc", "connect", "grpc-web"] as const;

/** One of `WIRE_PROTOCOLS`. */
export type WireProtocol = (typeof WIRE_PROTOCOLS)[number];
