// The span an event is emitted in, and how the active one is tracked (the context manager).
/** The ids an event inherits from the span it is emitted in. */
export interface SpanContext {
  readonly sessionId: string;
  /** 32 lowercase hex characters: the W3C trace id. */
  readonly traceId: string;
  /** 16 lowercase hex characters: the W3C parent id. */
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly agentName?: string | undefined;
}

/**
 * Carries the active span across calls. The default (`createStackContextManager`) works in
 * every runtime with synchronous scopes and explicit handles; `@chaukas/transport-node`
 * provides one on AsyncLocalStorage that survives awaits, timers and promises.
 */
export interface ContextManager {
  /** The span new events attach to, if any. */
  active(): SpanContext | undefined;
  /** Runs `fn` with `context` active, returning what `fn` returns (a promise included). */
  with<T>(context: SpanContext | undefined, fn: () => T): T;
}
