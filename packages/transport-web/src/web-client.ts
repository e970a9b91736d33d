import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import { registerPageLifecycleFlush } from "./page-lifecycle-flush.js";
import { createWebTransport, type WebTransportOptions } from "./web-transport.js";

/** Options of `createChaukasWebClient()`: the client's options plus the web transport's. */
export interface ChaukasWebClientOptions
  extends Omit<ChaukasClientOptions, "transport" | "exporter"> {
  /** How to reach the backend (`baseUrl`, `protocol`, `apiKey`, ...). Required. */
  readonly connection: WebTransportOptions;
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
 */
export function createChaukasWebClient(options: ChaukasWebClientOptions): ChaukasClient {
  const { connection, flushOnPageHide, ...clientOptions } = options;
  const client = createChaukasClient({
    ...clientOptions,
    transport: createWebTransport(connection),
  });
  if (flushOnPageHide ?? WEB_CLIENT_DEFAULTS.flushOnPageHide) {
    registerPageLifecycleFlush(client);
  }
  return client;
}
