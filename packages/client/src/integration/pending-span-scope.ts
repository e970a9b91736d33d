/**
 * A scope under a span that has no handle yet. Frameworks fill some spans in while they run (a
 * tool's arguments, the model's usage), so an integration emits their START and END together
 * when the framework span ends, back-dated to its start (`startTime`, `endTime`, `spanId`). Spans
 * the framework starts inside them meanwhile (an agent run as a tool) must still hang under them.
 */

import { checkSpanId } from "../builders/caller-ids.js";
import type { SpanScope } from "../builders/scope-types.js";
import type { ChaukasClient } from "../client.js";

/**
 * The builders under span `spanId` (16 lowercase hex, checked as `span_id`) of `parent`'s
 * session and trace, whose own events the integration emits later through `parent` with that
 * `spanId`. Events built through it get `spanId` as their `parent_span_id` and inherit
 * `parent`'s session, trace and agent; the scope emits nothing itself.
 * ```ts
 * const spanId = frameworkSpanId(span);
 * const children = pendingSpanScope(chaukas, agent, spanId); // an agent run as the tool
 * // ... when the framework's span has ended:
 * agent.toolCallStart({ name, arguments: args, spanId, startTime }).end({ output, endTime });
 * ```
 */
export function pendingSpanScope(
  chaukas: Pick<ChaukasClient, "continueSession">,
  parent: SpanScope,
  spanId: string,
): SpanScope {
  const { agentId, agentName } = parent.context;
  // A continued session that adopts the caller's is exactly this: a handle on a span whose
  // START and END are emitted elsewhere (there by the caller; here, later, by the integration).
  return chaukas.continueSession(
    {
      traceId: parent.traceId,
      spanId: checkSpanId(spanId),
      flags: 1,
      sessionId: parent.sessionId,
    },
    {
      trust: true,
      ...(agentId === undefined ? {} : { agentId }),
      ...(agentName === undefined ? {} : { agentName }),
    },
  );
}
