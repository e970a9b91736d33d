import { DISCARDING_EXPORTER, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { TOOL_CALL } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { timeChunkedLoop } from "./hot-path-loop.js";

// Row 1: a tool call as an agent records it (TOOL_CALL_START with a small Struct, then
// TOOL_CALL_END with its output), through the builders and the batch processor, into an
// exporter that discards. Timed: what runs on the caller's stack, per event.
const { chaukas, agent } = startChaukasAgent(DISCARDING_EXPORTER);

const result = await timeChunkedLoop({
  operation(i) {
    const tool = agent.toolCallStart({
      name: TOOL_CALL.toolName,
      arguments: TOOL_CALL.arguments(i),
    });
    tool.end({ output: { hits: 3 } });
  },
  eventsPerOperation: 2,
  drain: () => chaukas.flush(),
});
const stats = chaukas.stats();
await chaukas.shutdown();
reportResult({ ...result, dropped: stats.dropped });
