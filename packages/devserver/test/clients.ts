// The three ways a client reaches the devserver, all against the same URL.
import type { LookupFunction } from "node:net";
import * as net from "node:net";
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

export interface ClientOptions {
  /** Sent as `authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Sent as `origin`, as a browser page on that origin would. */
  readonly origin?: string;
  /**
   * The IP address to connect to, whatever the URL's host name: as if DNS pointed that name
   * there. The name still goes out as `Host` / `:authority`.
   */
  readonly dialAddress?: string;
}

function withHeader(name: string, value: string): Interceptor {
  return (next) => (req) => {
    req.header.set(name, value);
    return next(req);
  };
}

/** A `lookup` that answers `address` for every name, in both of the forms Node asks for. */
function lookupAs(address: string): LookupFunction {
  const family = net.isIP(address);
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export function createTransport(
  name: TransportName,
  baseUrl: string,
  options: ClientOptions = {},
): Transport {
  const interceptors: Interceptor[] = [];
  if (options.apiKey !== undefined) {
    interceptors.push(withHeader("authorization", `Bearer ${options.apiKey}`));
  }
  if (options.origin !== undefined) interceptors.push(withHeader("origin", options.origin));
  const dialAddress = options.dialAddress;
  const http1Options =
    dialAddress === undefined ? {} : { nodeOptions: { lookup: lookupAs(dialAddress) } };
  switch (name) {
    case "grpc (HTTP/2)":
      return createGrpcTransport({
        baseUrl,
        interceptors,
        ...(dialAddress === undefined
          ? {}
          : {
              nodeOptions: {
                createConnection: (authority: URL) =>
                  net.connect(Number(authority.port), dialAddress),
              },
            }),
      });
    case "connect (HTTP/1.1, JSON)":
      return createConnectTransport({
        baseUrl,
        httpVersion: "1.1",
        useBinaryFormat: false,
        interceptors,
        ...http1Options,
      });
    case "grpc-web (HTTP/1.1)":
      return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors, ...http1Options });
  }
}

export function chaukasClient(
  name: TransportName,
  baseUrl: string,
  options: ClientOptions = {},
): ChaukasClient {
  return createClient(ChaukasClientService, createTransport(name, baseUrl, options));
}
