/**
 * What other `@chaukas` packages use of the client's internals, re-exported by `index.ts` under
 * one `@internal` tag: the API reference leaves them out and they may change in any release. A
 * module of its own because re-exports from one module end up in one statement (Biome merges
 * them in the source, tsc in the .d.ts), and a tag on that statement would cover public names too.
 */

/** For `@chaukas/otel`'s fan-out exporter: a pipeline per destination. */
export { createBatchProcessor } from "./pipeline/batch-processor.js";
/** For `@chaukas/devserver`, which answers an oversized batch as the backend does. */
export { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "./pipeline/batch-too-large.js";
/** For `@chaukas/otel`'s fan-out exporter. */
export type { EventProcessor } from "./pipeline/event-processor.js";
/** For `@chaukas/otel`'s fan-out exporter, which reports its destinations' losses. */
export { lossReportEvent } from "./pipeline/loss-report.js";
/** For the transports (and `@chaukas/otel`'s OTLP exporter): the one deadline of a call. */
export {
  callDeadlineOf,
  type TransportWithDeadline,
  withCallDeadline,
} from "./wire/call-deadline.js";
/** For `@chaukas/transport-node`, which attaches the generated encoder to its transports. */
export {
  type TransportWithEventEncoder,
  withEventEncoder,
} from "./wire/event-encoder.js";
/** For `@chaukas/transport-web`, whose fetch sends a call marked with it as keepalive. */
export { keepaliveContextKey } from "./wire/keepalive.js";
/** For `@chaukas/transport-node`, which checks `CHAUKAS_API_KEY` as a header value. */
/** For the transports and `@chaukas/otel`: every user-supplied header goes through its checks. */
export { assertHeaderValue, checkRequestHeaders } from "./wire/request-headers.js";
