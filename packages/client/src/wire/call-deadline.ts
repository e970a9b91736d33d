/**
 * The deadline of one call, in one place: a transport carries the `timeoutMs` it gives each call,
 * so the Connect exporter sends every export with it and the processor cuts a hung attempt then.
 */
import type { Transport } from "@connectrpc/connect";

/**
 * A Connect transport that tells the deadline it gives each call (connect's `defaultTimeoutMs`):
 * `createNodeTransport`, `createWebTransport` and `createRestTransport` return one.
 */
export interface TransportWithDeadline extends Transport {
  /** Deadline of each call that sets none, in ms: sent to the server and enforced on the client. */
  readonly timeoutMs: number;
}

/** `transport` with the deadline it was created with, for the exporter and processor to read. */
export function withCallDeadline(transport: Transport, timeoutMs: number): TransportWithDeadline {
  return { ...transport, timeoutMs };
}

/** The deadline a transport tells (`TransportWithDeadline`); undefined for one that tells none. */
export function callDeadlineOf(transport: Transport): number | undefined {
  const { timeoutMs } = transport as Partial<TransportWithDeadline>;
  return typeof timeoutMs === "number" && timeoutMs > 0 ? timeoutMs : undefined;
}
