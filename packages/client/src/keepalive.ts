import { createContextKey } from "@connectrpc/connect";

/**
 * Set on the Connect call's `contextValues` when a batch is sent during page hide/unload:
 * `@chaukas/transport-web` reads it and sends with `fetch(..., { keepalive: true })`.
 */
export const keepaliveContextKey = createContextKey(false, { description: "chaukas.keepalive" });

/**
 * Largest `IngestEventBatchRequest` (binary encoding) sent with keepalive. Browsers cap all
 * in-flight keepalive bodies of a page at 64 KiB together; 60 KiB leaves room for framing.
 */
export const KEEPALIVE_MAX_BATCH_BYTES = 60 * 1024;
