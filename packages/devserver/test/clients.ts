// The three ways a client reaches the devserver, all against the same URL.
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";

export type ChaukasClient = Client<typeof ChaukasClientService>;

export type TransportName = "grpc (HTTP/2)" | "connect (HTTP/1.1, JSON)" | "grpc-web (HTTP/1.1)";

export const TRANSPORT_NAMES: readonly TransportName[] = [
  "grpc (HTTP/2)",
  "connect (HTTP/1.1, JSON)",
  "grpc-web (HTTP/1.1)",
];

function bearer(apiKey: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${apiKey}`);
    return next(req);
  };
}

export function createTransport(
  name: TransportName,
  baseUrl: string,
  options: { apiKey?: string } = {},
): Transport {
  const interceptors = options.apiKey === undefined ? [] : [bearer(options.apiKey)];
  switch (name) {
    case "grpc (HTTP/2)":
      return createGrpcTransport({ baseUrl, interceptors });
    case "connect (HTTP/1.1, JSON)":
      return createConnectTransport({
        baseUrl,
        httpVersion: "1.1",
        useBinaryFormat: false,
        interceptors,
      });
    case "grpc-web (HTTP/1.1)":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors });
  }
}

export function chaukasClient(
  name: TransportName,
  baseUrl: string,
  options: { apiKey?: string } = {},
): ChaukasClient {
  return createClient(ChaukasClientService, createTransport(name, baseUrl, options));
}
