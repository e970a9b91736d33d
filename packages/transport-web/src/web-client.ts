import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import { registerPageLifecycleFlush } from "./page-lifecycle-flush.js";
import { createWebTransport, type WebTransportOptions } from "./web-transport.js";

/**
 * Options of `createChaukasWebClient()`: the client's options (tenant, project, batching,
 * hooks) and the web transport's (`baseUrl`, `protocol`, `apiKey`, ...), side by side — the
 * same flat shape as `createChaukasNodeClient`.
 */
export interface ChaukasWebClientOptions
  extends Omit<ChaukasClientOptions, "transport" | "exporter">,
    WebTransportOptions {
  /** Flush with keepalive when the page is hidden or left (no-op off the main thread). Default `true`. */
  readonly flushOnPageHide?: boolean;
}

/** The defaults of `ChaukasWebClientOptions` beyond the client's and the transport's own. */
export const WEB_CLIENT_DEFAULTS = {
  flushOnPageHide: true,
} as const satisfies Partial<ChaukasWebClientOptions>;

/**
 * One call for a browser page or an edge function: a Chaukas client on `createWebTransport`,
 * with the page-lifecycle keepalive flush registered where there is a page.
 *
 * ```ts
 * const chaukas = createChaukasWebClient({ baseUrl: "https://ingest.example.com", tenantId: "acme", projectId: "chat-ui" });
 * ```
 */
export function createChaukasWebClient(options: ChaukasWebClientOptions): ChaukasClient {
  const {
    flushOnPageHide,
    baseUrl,
    protocol,
    useBinaryFormat,
    apiKey,
    headers,
    timeoutMs,
    fetch,
    interceptors,
    ...clientOptions
  } = options;
  const transport = createWebTransport({
    baseUrl,
    ...(protocol === undefined ? {} : { protocol }),
    ...(useBinaryFormat === undefined ? {} : { useBinaryFormat }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(headers === undefined ? {} : { headers }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(fetch === undefined ? {} : { fetch }),
    ...(interceptors === undefined ? {} : { interceptors }),
  });
  const client = createChaukasClient({ ...clientOptions, transport });
  if (flushOnPageHide ?? WEB_CLIENT_DEFAULTS.flushOnPageHide) {
    registerPageLifecycleFlush(client);
  }
  return client;
}
