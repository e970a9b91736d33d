import { median } from "../stats.js";

/** Timed events per run (after a warm-up the JIT settles in); three runs time 1.5M. */
export const HOT_PATH_EVENTS = 500_000;
export const HOT_PATH_WARMUP_EVENTS = 50_000;
/** Events per timed chunk; below every SDK's queue bound so nothing is dropped. */
export const HOT_PATH_CHUNK_EVENTS = 1_000;

export interface ChunkedLoop {
  /** One user-level operation (emits `eventsPerOperation` events). */
  operation(i: number): void;
  eventsPerOperation: number;
  /** Lets the pipeline empty between chunks; not timed. */
  drain(): Promise<unknown>;
}

/**
 * Times only what runs on the caller's stack: chunks of synchronous calls, with the
 * pipeline drained (untimed) between chunks so its queue never fills and drops.
 */
export async function timeChunkedLoop(loop: ChunkedLoop) {
  const opsPerChunk = Math.max(1, Math.floor(HOT_PATH_CHUNK_EVENTS / loop.eventsPerOperation));
  const eventsPerChunk = opsPerChunk * loop.eventsPerOperation;
  const run = async (events: number) => {
    const chunkNsPerEvent: number[] = [];
    let operations = 0;
    while (operations * loop.eventsPerOperation < events) {
      const start = process.hrtime.bigint();
      for (let j = 0; j < opsPerChunk; j++) {
        loop.operation(operations + j);
      }
      chunkNsPerEvent.push(Number(process.hrtime.bigint() - start) / eventsPerChunk);
      operations += opsPerChunk;
      await loop.drain();
    }
    return { chunkNsPerEvent, events: operations * loop.eventsPerOperation };
  };
  await run(HOT_PATH_WARMUP_EVENTS);
  const { chunkNsPerEvent, events } = await run(HOT_PATH_EVENTS);
  // The median chunk is robust to a neighbour's burst on a shared machine; the mean (which
  // includes GC pauses landing inside chunks) is kept beside it.
  return {
    nsPerEvent: median(chunkNsPerEvent),
    meanNsPerEvent: chunkNsPerEvent.reduce((a, b) => a + b, 0) / chunkNsPerEvent.length,
    events,
  };
}
