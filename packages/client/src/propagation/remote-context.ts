// A caller's context read from a request: what the server knows of it before it decides to trust it.
/** A caller's context, read from a request (`extract` of `@chaukas/client/propagation`): untrusted until the server says so. */
export interface RemoteContext {
  /** The caller's W3C trace id (32 lowercase hex characters). */
  readonly traceId: string;
  /** The caller's span (16 lowercase hex characters): the parent of what this side does. */
  readonly spanId: string;
  /** The W3C trace flags byte; bit 0 is "sampled". */
  readonly flags: number;
  /**
   * The caller's Chaukas session, from the baggage entry `chaukas.session_id`. Only a caller the
   * server trusts may place events into it (see `continueSession`). Default: none.
   */
  readonly sessionId?: string | undefined;
}
