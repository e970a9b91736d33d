import { ConnectError, type Interceptor } from "@connectrpc/connect";
import type { CallCounter } from "./call-counter.js";

/** Records every call's method and outcome; the outermost interceptor, so auth failures count. */
export function createCallCountingInterceptor(counter: CallCounter): Interceptor {
  return (next) => async (req) => {
    try {
      const res = await next(req);
      counter.record(req.method.name, undefined);
      return res;
    } catch (error) {
      counter.record(req.method.name, ConnectError.from(error).code);
      throw error;
    }
  };
}
