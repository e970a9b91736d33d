import { startTimedProfile } from "../probes/timed-profile.js";
import type { SinkCounts } from "../sink/sink-process.js";
import { countsBetween, type ThroughputBackend } from "./throughput-backend.js";
import { DELIVERY, THROUGHPUT_EVENTS, THROUGHPUT_WARMUP_EVENTS } from "./throughput-config.js";

/**
 * One throughput run of a client: `send(n)` emits `n` events and resolves once the client says
 * they were delivered. A warm-up, then the timed part: wall clock and the client process's CPU
 * (`process.cpuUsage`: every thread of it, zlib's included) from the first emit until delivered.
 * What the backend received is checked against what was emitted, never the client's own count.
 */
export async function measureThroughput(
  backend: ThroughputBackend,
  send: (events: number) => Promise<void>,
  /** Events the client's setup emitted before the warm-up (a session's start events). */
  setupEvents = 0,
) {
  await send(THROUGHPUT_WARMUP_EVENTS);
  const before = await backend.received();
  const stopProfile = await startTimedProfile("throughput");
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await send(THROUGHPUT_EVENTS);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await stopProfile();
  const after = await backend.received();
  const timed: SinkCounts | undefined =
    before.sink && after.sink ? countsBetween(before.sink, after.sink) : undefined;
  return {
    backend: backend.kind,
    delivery: DELIVERY,
    eventsPerSecond: THROUGHPUT_EVENTS / seconds,
    seconds,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / THROUGHPUT_EVENTS,
    /** Client CPU ÷ wall time: 1 means one core busy throughout. */
    cpuUtilization: (cpu.user + cpu.system) / 1e6 / seconds,
    emitted: setupEvents + THROUGHPUT_WARMUP_EVENTS + THROUGHPUT_EVENTS,
    received: after.events,
    ...(timed === undefined
      ? {}
      : {
          sink: timed,
          messageBytesPerEvent: timed.messageBytes / timed.events,
          wireBytesPerEvent: timed.wireBytes / timed.events,
          compressedCallShare: timed.compressedCalls / timed.calls,
        }),
  };
}
