/** What `serve.ts` tells the page (as `globalThis.CHAUKAS_EXAMPLE`). */
export interface ExampleConfig {
  /** The local backend's trace viewer, for the page's link (the page never calls the backend). */
  readonly viewerUrl: string;
}
