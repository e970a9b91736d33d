/**
 * A faster encoder of events, carried by the transport like its deadline: `createNodeTransport`
 * attaches the generated exact-size encoder (`@chaukas/client/binary-encoding`), the Connect
 * exporter exposes it as `EventExporter.encodeEvents`, and the processor encodes with it. Browser
 * transports attach none: the generated code would grow the browser bundle, so they stay on
 * protobuf-es's `toBinary`.
 */
import type { Transport } from "@connectrpc/connect";
import type { EventExporter } from "./exporter.js";

/** Encodes a batch's events, each byte-identical to `toBinary` (`EventExporter.encodeEvents`). */
export type EncodeEventList = NonNullable<EventExporter["encodeEvents"]>;

/** A Connect transport that carries an event encoder for the exporter to use. */
export interface TransportWithEventEncoder extends Transport {
  /** Encodes a batch's events (see `EncodeEventList`). */
  readonly encodeEvents: EncodeEventList;
}

/** `transport` (and what else it carries, e.g. its deadline) with `encodeEvents` attached. */
export function withEventEncoder<T extends Transport>(
  transport: T,
  encodeEvents: EncodeEventList,
): T & TransportWithEventEncoder {
  return { ...transport, encodeEvents };
}

/** The event encoder a transport carries (`TransportWithEventEncoder`); undefined for none. */
export function eventEncoderOf(transport: Transport): EncodeEventList | undefined {
  const { encodeEvents } = transport as Partial<TransportWithEventEncoder>;
  return typeof encodeEvents === "function" ? encodeEvents : undefined;
}
