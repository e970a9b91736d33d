import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import {
  type DescMessage,
  type DescMethodUnary,
  type DescService,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type Interceptor,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { UniversalHandlerFn, UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { outcomeName } from "./call-counter.js";
import { withClientErrorCodes } from "./client-error-codes.js";
import { INGEST_CALL, type IngestCall } from "./ingest-call.js";

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
}

/** What an in-process call carries besides its message. */
export interface InProcessCallInit {
  /** The `authorization` header of the HTTP request it is made for. */
  readonly authorization: string | undefined;
  /** Aborts the call when the HTTP request goes away. */
  readonly signal: AbortSignal;
  /** For ingest calls of an HTTP route: its undecodable events and where the outcome goes. */
  readonly ingestCall?: IngestCall;
}

/** The service's RPCs on the network, and in-process for the HTTP routes. */
export interface RpcHandler {
  /** Whether `path` is one of the service's RPCs (`/chaukas.spec.client.v1.ChaukasClientService/IngestEvent`). */
  has(path: string): boolean;
  /**
   * Serves an RPC request: gRPC, gRPC-web and Connect, over HTTP/1.1 and HTTP/2. A content type
   * no protocol uses (connect-es answers a bare 415) is answered by `unsupportedMediaType`.
   */
  serve(req: Request, res: Response, unsupportedMediaType: NodeHandler): void;
  /**
   * Calls a method in-process, through the same interceptors (counting, log, auth, faults) as a
   * call from the network; resolves with the response message and headers, rejects with the
   * call's ConnectError.
   */
  call<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    message: MessageShape<I>,
    init: InProcessCallInit,
  ): Promise<{ message: MessageShape<O>; header: Headers }>;
}

/**
 * Content types of binary protobuf that no RPC protocol names, but HTTP clients send (the
 * Python chaukas-sdk's `application/x-protobuf`): read as Connect's `application/proto`.
 */
const PROTOBUF_ALIASES =
  /^application\/(?:x-protobuf|x-protobuffer|protobuf|vnd\.google\.protobuf)\s*(?:;|$)/i;

/**
 * `connectNodeAdapter` with these differences: every RPC goes through `withClientErrorCodes`
 * (undecodable requests answer INVALID_ARGUMENT, not INTERNAL), binary protobuf under the
 * content types of `PROTOBUF_ALIASES` is read as Connect's, an unsupported content type gets
 * the caller's answer, and the RPCs can be called in-process (`call`).
 */
export function createRpcHandler<S extends DescService>(options: RpcHandlerOptions<S>): RpcHandler {
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
  const pathOf = (req: Request) => req.url?.split("?", 1)[0] ?? "";

  return {
    has(path) {
      return byPath.has(path);
    },

    serve(req, res, unsupportedMediaType) {
      const rpc = byPath.get(pathOf(req));
      if (rpc === undefined) throw new Error(`no RPC at ${pathOf(req)}`);
      const request = universalRequestFromNodeRequest(req, res, undefined, undefined);
      if (PROTOBUF_ALIASES.test(request.header.get("content-type") ?? "")) {
        request.header.set("content-type", "application/proto");
      }
      rpc
        .handle(request)
        .then((response) => {
          if (response.status === 415) unsupportedMediaType(req, res);
          else return universalResponseToNodeResponse(response, res);
        })
        .catch((reason: unknown) => {
          // A client that went away mid-call is no error of ours; anything else is reported
          // the way connectNodeAdapter reports it.
          if (ConnectError.from(reason).code === Code.Aborted) return;
          console.error(`handler for rpc ${rpc.method} failed`, reason);
        });
    },

    async call(method, message, init) {
      const path = `/${method.parent.typeName}/${method.name}`;
      const rpc = byPath.get(path);
      if (rpc === undefined) throw new Error(`no RPC at ${path}`);
      const header = new Headers({ "content-type": "application/proto" });
      if (init.authorization !== undefined) header.set("authorization", init.authorization);
      const contextValues = createContextValues();
      if (init.ingestCall !== undefined) contextValues.set(INGEST_CALL, init.ingestCall);
      const response = await rpc.handle({
        httpVersion: "1.1",
        method: "POST",
        url: `http://in-process${path}`,
        header,
        body: once(toBinary(method.input, message)),
        signal: init.signal,
        contextValues,
      });
      const body = await readAll(response);
      const responseHeader = new Headers(response.header);
      if (response.status !== 200) throw connectErrorOf(body, responseHeader, response.status);
      return { message: fromBinary(method.output, body), header: responseHeader };
    },
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function readAll(response: UniversalServerResponse): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Connect codes by their wire names ("invalid_argument"). */
const CODES_BY_NAME = new Map<string, Code>(
  (Object.values(Code).filter((v) => typeof v === "number") as Code[]).map((code) => [
    outcomeName(code),
    code,
  ]),
);

/** The ConnectError of a Connect unary error answer: `{ code, message }`, metadata in headers. */
function connectErrorOf(body: Uint8Array, header: Headers, status: number): ConnectError {
  try {
    const { code, message } = JSON.parse(Buffer.from(body).toString("utf8")) as {
      code?: unknown;
      message?: unknown;
    };
    const known = typeof code === "string" ? CODES_BY_NAME.get(code) : undefined;
    if (known !== undefined) {
      return new ConnectError(typeof message === "string" ? message : "", known, header);
    }
  } catch {
    // Not a Connect error body: reported by status below.
  }
  return new ConnectError(`the RPC answered HTTP ${status}`, Code.Internal, header);
}
