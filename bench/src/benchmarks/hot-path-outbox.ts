import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileOutbox } from "@chaukas/transport-node";
import { DISCARDING_EXPORTER, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { TOOL_CALL } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { timeChunkedLoop } from "./hot-path-loop.js";

// Row 1 with the file outbox (issue 15), beside the same program without it (OUTBOX=0): the
// caller's stack per event as row 1 times it, and the untimed drains timed apart (each
// 1 000-event chunk flushed: batches cut, written to the outbox, exported, removed), per event.
const withOutbox = process.env.OUTBOX !== "0";
const directory = mkdtempSync(join(tmpdir(), "chaukas-bench-outbox-"));
const { chaukas, agent } = startChaukasAgent(
  DISCARDING_EXPORTER,
  withOutbox ? { outbox: createFileOutbox({ directory }) } : {},
);

let drainNs = 0n;
let drainedEvents = 0;
const result = await timeChunkedLoop({
  operation(i) {
    const tool = agent.toolCallStart({
      name: TOOL_CALL.toolName,
      arguments: TOOL_CALL.arguments(i),
    });
    tool.end({ output: { hits: 3 } });
  },
  eventsPerOperation: 2,
  async drain() {
    const before = chaukas.stats().sent;
    const start = process.hrtime.bigint();
    await chaukas.flush();
    drainNs += process.hrtime.bigint() - start;
    drainedEvents += chaukas.stats().sent - before;
  },
});
const stats = chaukas.stats();
await chaukas.shutdown();
rmSync(directory, { recursive: true, force: true });
reportResult({
  ...result,
  outbox: withOutbox,
  drainNsPerEvent: Number(drainNs) / drainedEvents,
  dropped: stats.dropped,
});
