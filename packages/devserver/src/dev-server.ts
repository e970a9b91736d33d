import { ChaukasClientService } from "@chaukas/spec/client/v1";
import type { Interceptor } from "@connectrpc/connect";
import { createApiKeyCheck, createAuthInterceptor } from "./auth.js";
import { createCallCounter } from "./call-counter.js";
import { createCallCountingInterceptor } from "./call-counting.js";
import { createChaukasSdkRoutes } from "./chaukas-sdk-routes.js";
import { createChaukasService } from "./chaukas-service.js";
import { withCors } from "./cors.js";
import { type DevServerStore, EventStore } from "./event-store.js";
import { createFaults, type DevServerFaults } from "./faults.js";
import { createHttpRouter } from "./http-router.js";
import { createIngestLogInterceptor } from "./ingest-log.js";
import { listenOnOnePort, type OnePortListener } from "./one-port-listener.js";
import { DEV_SERVER_DEFAULTS, type DevServerOptions, SILENT_LOGGER } from "./options.js";
import { createPublicApiRoutes } from "./public-api-routes.js";
import { createRequestLog } from "./request-log.js";
import { createRpcHandler } from "./rpc-handler.js";
import { createViewerHandler, VIEWER_PATHS } from "./viewer-assets.js";

/** A running devserver. */
export interface DevServer {
  /** Base URL for every transport: gRPC (h2c), gRPC-web and Connect, e.g. "http://127.0.0.1:50051". */
  readonly url: string;
  /** The trace viewer: `url` with a trailing slash, opened in a browser. */
  readonly viewerUrl: string;
  /** The bound port. */
  readonly port: number;
  /** Read access to stored events and call counters. */
  readonly store: DevServerStore;
  /** Fault switches for tests; all off unless `options.faults` set some. */
  readonly faults: DevServerFaults;
  /** Stops the server and drops every connection; resolves when the port is free. */
  close(): Promise<void>;
}

/** Starts a local Chaukas backend; resolves once it accepts connections. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? DEV_SERVER_DEFAULTS.host;
  const maxBatchEvents = options.maxBatchEvents ?? DEV_SERVER_DEFAULTS.maxBatchEvents;
  const maxBatchBytes = options.maxBatchBytes ?? DEV_SERVER_DEFAULTS.maxBatchBytes;
  const maxRequestBytes = options.maxRequestBytes ?? DEV_SERVER_DEFAULTS.maxRequestBytes;
  const logger = options.logger ?? SILENT_LOGGER;

  const callCounter = createCallCounter();
  const store = new EventStore(callCounter, options.data);
  const badLines = store.load();
  if (badLines.length > 0) {
    logger.error(
      `skipped ${badLines.length} unreadable line(s) of ${options.data}: ${badLines.slice(0, 10).join(", ")}`,
    );
  }

  let listener: OnePortListener | undefined;
  const { down: startDown = false, ...initialFaults } = options.faults ?? {};
  const { faults, interceptor: faultInterceptor } = createFaults(initialFaults, async (down) => {
    await listener?.setDown(down);
  });

  // Outermost first: every call is counted and logged, then authenticated, then faulted.
  const interceptors: Interceptor[] = [
    createCallCountingInterceptor(callCounter),
    createIngestLogInterceptor(logger),
  ];
  if (options.apiKey !== undefined) interceptors.push(createAuthInterceptor(options.apiKey));
  interceptors.push(faultInterceptor);

  const service = createChaukasService(store, {
    maxBatchEvents,
    maxBatchBytes: () => faults.maxBatchBytes ?? maxBatchBytes,
  });
  const rpc = createRpcHandler({
    service: ChaukasClientService,
    implementation: service,
    interceptors,
    readMaxBytes: maxRequestBytes,
  });
  // The public REST API and chaukas-sdk's routes call the same RPCs in-process.
  const handler = createHttpRouter({
    rpc,
    routes: [...createPublicApiRoutes(rpc), ...createChaukasSdkRoutes(rpc)],
    viewer: { paths: VIEWER_PATHS, serve: createViewerHandler() },
    checkApiKey: options.apiKey === undefined ? undefined : createApiKeyCheck(options.apiKey),
    readMaxBytes: maxRequestBytes,
    log: createRequestLog(logger),
  });

  listener = await listenOnOnePort(withCors(handler), {
    port: options.port ?? DEV_SERVER_DEFAULTS.port,
    host,
  });
  if (startDown) {
    faults.down = true;
    await faults.settled();
  }
  const port = listener.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const openListener = listener;
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    viewerUrl: `${url}/`,
    port,
    store,
    faults,
    async close() {
      // A reopening still in flight would otherwise leave the port listening after close.
      await faults.settled().catch(() => {});
      await openListener.close();
    },
  };
}
