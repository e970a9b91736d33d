// Sending during page unload: the keepalive mark and the browser's byte budget for it.

import { createContextKey } from "@connectrpc/connect";

/**
 * Set on the Connect call's `contextValues` when a batch is sent during page hide/unload:
 * `@chaukas/transport-web` reads it and sends with `fetch(..., { keepalive: true })`.
 */
export const keepaliveContextKey = createContextKey(false, { description: "chaukas.keepalive" });

/**
 * What browsers (Chromium, Firefox, Safari, after the Fetch standard) allow for the bodies of
 * all keepalive requests of a page in flight together; a keepalive fetch past it is rejected
 * outright. `@chaukas/transport-web` sends a call that would exceed it without keepalive.
 */
export const KEEPALIVE_BUDGET_BYTES = 64 * 1024;

/**
 * Largest `IngestEventBatchRequest` (binary encoding) the client sends with keepalive: the
 * browser's budget less 4 KiB, because the page's other keepalive requests (analytics beacons)
 * draw on the same budget and gRPC-web adds its envelope to the body.
 */
export const KEEPALIVE_MAX_BATCH_BYTES = KEEPALIVE_BUDGET_BYTES - 4 * 1024;
