import type { FlushOptions, FlushResult } from "@chaukas/client";

/** The one method of a Chaukas client the lifecycle helpers call. */
export interface FlushableClient {
  flush(options?: FlushOptions): Promise<FlushResult>;
}
