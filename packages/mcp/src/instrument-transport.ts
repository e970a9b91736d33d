import { type ChaukasClient, ChaukasValidationError } from "@chaukas/client";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { createMcpCallTracker } from "./call-tracker.js";
import type { McpInstrumentationOptions, McpInstrumentationStats } from "./options.js";

/** What `instrumentMcpTransport` returns: a `Transport` to hand to `Client`/`McpServer`. */
export interface InstrumentedMcpTransport<T extends Transport = Transport> extends Transport {
  /**
   * The wrapped transport, unchanged: call its own methods (`handleRequest`,
   * `terminateSession`, ...) on it.
   */
  readonly transport: T;
  /** The adapter's counters: calls started, completed, failed, pending, and its own errors. */
  stats(): McpInstrumentationStats;
}

/**
 * Wraps an MCP `Transport` (stdio, streamable HTTP, SSE, in-memory, or your own) so that
 * every `tools/call`, `resources/read` and `prompts/get` it carries becomes an
 * MCP_CALL_START/END pair, matched by JSON-RPC id:
 * ```ts
 * await client.connect(instrumentMcpTransport(transport, chaukas, { side: "client", serverName: "docs" }));
 * ```
 * The client side writes the call's context into `params._meta` (`traceparent`, and `baggage`
 * with the Chaukas session id: the only change made to any message); the server side
 * continues the caller's trace from it, and with `trust` the caller's session. Nothing is
 * awaited and nothing is thrown at the framework: the adapter's own failures go to `onError`
 * and `stats().errors`. Throws `ChaukasValidationError` for invalid options, at this call.
 */
export function instrumentMcpTransport<T extends Transport>(
  transport: T,
  chaukas: ChaukasClient,
  options: McpInstrumentationOptions,
): InstrumentedMcpTransport<T> {
  checkOptions(transport, chaukas, options);
  const tracker = createMcpCallTracker(chaukas, options, () => transport.sessionId);
  let listening = false;

  /**
   * Takes over the original transport's handlers at `start`, as `Protocol.connect` does with
   * ours: handlers set on the original before then keep being called, first.
   */
  function listen(): void {
    listening = true;
    const { onclose, onerror, onmessage } = transport;
    transport.onclose = () => {
      tracker.onClose();
      onclose?.();
      wrapper.onclose?.();
    };
    transport.onerror = (error) => {
      onerror?.(error);
      wrapper.onerror?.(error);
    };
    transport.onmessage = (message, extra) => {
      onmessage?.(message, extra);
      const span = tracker.onReceive(message, extra);
      // A server-side handler runs inside its call's span, so the events it emits nest there.
      if (span === undefined) wrapper.onmessage?.(message, extra);
      else span.run(() => wrapper.onmessage?.(message, extra));
    };
  }

  const wrapper: InstrumentedMcpTransport<T> = {
    transport,
    onclose: undefined,
    onerror: undefined,
    onmessage: undefined,
    get sessionId() {
      return transport.sessionId;
    },
    setProtocolVersion:
      transport.setProtocolVersion === undefined
        ? undefined
        : (version) => {
            tracker.setProtocolVersion(version);
            return transport.setProtocolVersion?.(version);
          },

    start() {
      if (!listening) listen();
      return transport.start();
    },

    send(message, sendOptions) {
      const outgoing = tracker.onSend(message);
      let sent: Promise<void>;
      try {
        sent = transport.send(outgoing, sendOptions);
      } catch (error) {
        tracker.onSendFailed(outgoing, error);
        throw error;
      }
      // A branch of its own, so the caller still sees the rejection it would have seen.
      Promise.resolve(sent).then(undefined, (error: unknown) =>
        tracker.onSendFailed(outgoing, error),
      );
      return sent;
    },

    async close() {
      try {
        await transport.close();
      } finally {
        // Transports call onclose from close(); this covers one that does not.
        tracker.onClose();
      }
    },

    stats: () => tracker.stats(),
  };
  return wrapper;
}

function checkOptions(
  transport: unknown,
  chaukas: unknown,
  options: McpInstrumentationOptions | undefined,
): void {
  const t = transport as Partial<Transport> | null;
  if (typeof t?.start !== "function" || typeof t.send !== "function") {
    throw new ChaukasValidationError("transport", "expected an MCP Transport (start, send, close)");
  }
  const c = chaukas as Partial<ChaukasClient> | null;
  if (typeof c?.mcpCallStart !== "function" || typeof c.continueSession !== "function") {
    throw new ChaukasValidationError("chaukas", "expected a client from createChaukasClient");
  }
  if (options?.side !== "client" && options?.side !== "server") {
    throw new ChaukasValidationError("side", 'expected "client" or "server"');
  }
  if (typeof options.serverName !== "string" || options.serverName === "") {
    throw new ChaukasValidationError("serverName", "expected a non-empty string");
  }
  const trust: unknown = options.trust;
  if (trust !== undefined && typeof trust !== "boolean" && typeof trust !== "function") {
    throw new ChaukasValidationError("trust", "expected a boolean or a predicate");
  }
  if (options.methods !== undefined && !Array.isArray(options.methods)) {
    throw new ChaukasValidationError("methods", "expected an array of JSON-RPC method names");
  }
}
