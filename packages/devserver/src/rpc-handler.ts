import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  type Interceptor,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { UniversalHandlerFn } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { withClientErrorCodes } from "./client-error-codes.js";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;
export type NodeHandler = (req: Request, res: Response) => void;

/** What `createRpcHandler` serves and how. */
export interface RpcHandlerOptions<S extends DescService> {
  readonly service: S;
  readonly implementation: ServiceImpl<S>;
  readonly interceptors: readonly Interceptor[];
  /** Most bytes of one request message, read or decompressed; more is refused while reading. */
  readonly readMaxBytes: number;
  /** Serves every path that is not an RPC. */
  readonly fallback: NodeHandler;
}

/**
 * `connectNodeAdapter` with two differences: every RPC goes through `withClientErrorCodes`
 * (undecodable requests answer INVALID_ARGUMENT, not INTERNAL), and other paths go to
 * `fallback`. gRPC, gRPC-web and Connect alike, over HTTP/1.1 and HTTP/2.
 */
export function createRpcHandler<S extends DescService>(
  options: RpcHandlerOptions<S>,
): NodeHandler {
  const router = createConnectRouter({
    interceptors: [...options.interceptors],
    readMaxBytes: options.readMaxBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  router.service(options.service, options.implementation);
  const byPath = new Map<string, { handle: UniversalHandlerFn; method: string }>();
  for (const handler of router.handlers) {
    byPath.set(handler.requestPath, {
      handle: withClientErrorCodes(handler),
      method: handler.method.name,
    });
  }

  return (req, res) => {
    const rpc = byPath.get(req.url?.split("?", 1)[0] ?? "");
    if (rpc === undefined) {
      options.fallback(req, res);
      return;
    }
    const request = universalRequestFromNodeRequest(req, res, undefined, undefined);
    rpc
      .handle(request)
      .then((response) => universalResponseToNodeResponse(response, res))
      .catch((reason: unknown) => {
        // A client that went away mid-call is no error of ours; anything else is reported
        // the way connectNodeAdapter reports it.
        if (ConnectError.from(reason).code === Code.Aborted) return;
        console.error(`handler for rpc ${rpc.method} failed`, reason);
      });
  };
}
