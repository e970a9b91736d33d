import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Reports a call that failed as Canceled although nobody cancelled it as Unavailable.
 *
 * When the socket under an HTTP/2 session closes (the backend went down, was killed, or
 * dropped the connection after its GOAWAY), Node closes the open streams with the code
 * CANCEL and connect-node maps that code to `Code.Canceled`, a code that means "the caller
 * gave up" and is never retried. The caller did not give up; the connection was lost, which
 * is what Unavailable means. A call whose own signal was aborted (the caller's cancel, its
 * deadline) keeps its error as it is.
 */
export function createConnectionLossInterceptor(): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (
        !request.signal.aborted &&
        error instanceof ConnectError &&
        error.code === Code.Canceled
      ) {
        throw new ConnectError(
          `connection lost: ${error.rawMessage}`,
          Code.Unavailable,
          error.metadata,
          undefined,
          error,
        );
      }
      throw error;
    }
  };
}
