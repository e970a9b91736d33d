import { startBackendProcess } from "../backend-process.js";
import { type SinkCounts, startSinkProcess } from "../sink/sink-process.js";

/** Where row 2 delivers: the counting sink, or the local backend (`@chaukas/devserver`). */
export type ThroughputBackendKind = "sink" | "devserver";

/** The backend a throughput run sends to, in a process of its own. */
export interface ThroughputBackend {
  readonly kind: ThroughputBackendKind;
  readonly url: string;
  /**
   * What arrived so far. `events`: counted in the requests (sink), or stored (devserver, which
   * keeps each event id once). `sink`: the sink's counts of calls and bytes.
   */
  received(): Promise<{ events: number; sink?: SinkCounts }>;
  close(): Promise<void>;
}

/** Starts the backend named by `BENCH_THROUGHPUT_BACKEND` (the row's contenders set it). */
export async function startThroughputBackend(): Promise<ThroughputBackend> {
  const kind: ThroughputBackendKind =
    process.env.BENCH_THROUGHPUT_BACKEND === "devserver" ? "devserver" : "sink";
  if (kind === "sink") {
    const sink = await startSinkProcess();
    return {
      kind,
      url: sink.url,
      async received() {
        const counts = await sink.counts();
        return { events: counts.events, sink: counts };
      },
      close: () => sink.close(),
    };
  }
  const backend = await startBackendProcess();
  return {
    kind,
    url: backend.url,
    async received() {
      return { events: await backend.storedEvents() };
    },
    close: () => backend.close(),
  };
}

/** The sink's counts of the timed part of a run: what arrived after the warm-up. */
export function countsBetween(before: SinkCounts, after: SinkCounts): SinkCounts {
  return {
    calls: after.calls - before.calls,
    compressedCalls: after.compressedCalls - before.compressedCalls,
    events: after.events - before.events,
    wireBytes: after.wireBytes - before.wireBytes,
    messageBytes: after.messageBytes - before.messageBytes,
  };
}
