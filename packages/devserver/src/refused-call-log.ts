import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { outcomeName } from "./call-counter.js";
import type { RequestLog } from "./request-log.js";
import { HTTP_ROUTE } from "./rpc-handler.js";

/** The methods whose every call the ingest log already reports. */
const INGEST_METHODS = new Set(["IngestEvent", "IngestEventBatch"]);

/**
 * One request-log line per refused RPC that no other line reports: calls from the network to
 * Healthz, GetCapabilities or QueryEvents that fail (a missing key, a bad page token). Ingest
 * calls have the ingest log's line; in-process calls, their HTTP route's.
 */
export function createRefusedCallLogInterceptor(log: RequestLog): Interceptor {
  return (next) => async (req) => {
    if (INGEST_METHODS.has(req.method.name) || req.contextValues.get(HTTP_ROUTE) !== undefined) {
      return next(req);
    }
    try {
      return await next(req);
    } catch (error) {
      const connectError = ConnectError.from(error);
      log.refused(
        `${req.method.name} → ${outcomeName(connectError.code)}: ${connectError.rawMessage}`,
      );
      throw error;
    }
  };
}
