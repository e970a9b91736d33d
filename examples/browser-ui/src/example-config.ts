/** What `serve.ts` tells the page (as `globalThis.CHAUKAS_EXAMPLE`): where everything runs. */
export interface ExampleConfig {
  /** The Chaukas backend (the local devserver); its root is the trace viewer. */
  readonly backendUrl: string;
  /** Our agent's origin (`POST /chat`). */
  readonly agentUrl: string;
  /** The token the agent trusts: stands in for your app's user authentication. */
  readonly agentToken: string;
  readonly tenantId: string;
  readonly projectId: string;
}
