import { type Event, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { createChaukasClient } from "../client.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { pendingSpanScope } from "./pending-span-scope.js";

function memoryClient() {
  const sent: Event[] = [];
  const chaukas = createChaukasClient({
    exporter: {
      async export(batch) {
        sent.push(...batch.events);
      },
    },
    tenantId: "acme",
    projectId: "kit",
  });
  return { chaukas, sent };
}

const TOOL_SPAN = "a1b2c3d4e5f60718";

describe("pendingSpanScope", () => {
  it("nests children under a span whose START is emitted after them, and emits nothing itself", async () => {
    const { chaukas, sent } = memoryClient();
    const session = chaukas.startSession();
    const lead = session.agentStart({ agentId: "lead", startTime: 1000 });
    const pending = pendingSpanScope(chaukas, lead, TOOL_SPAN);
    expect(pending).toMatchObject({
      sessionId: session.id,
      traceId: session.traceId,
      spanId: TOOL_SPAN,
    });

    // An agent run as the tool, before the tool's own START.
    const researcher = pending.agentStart({ agentId: "researcher", startTime: 1100 });
    researcher.end({ endTime: 1200 });
    const tool = lead.toolCallStart({ name: "research", spanId: TOOL_SPAN, startTime: 1050 });
    tool.end({ endTime: 1300 });
    lead.end();
    session.end();
    await chaukas.flush();

    expect(sent.map((e) => EventType[e.type])).toEqual([
      "SESSION_START",
      "AGENT_START",
      "AGENT_START",
      "AGENT_END",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "AGENT_END",
      "SESSION_END",
    ]);
    const [, leadStart, researcherStart, , toolStart] = sent;
    expect(researcherStart).toMatchObject({
      sessionId: session.id,
      traceId: session.traceId,
      parentSpanId: TOOL_SPAN,
      agentId: "researcher",
    });
    expect(toolStart).toMatchObject({
      spanId: TOOL_SPAN,
      parentSpanId: leadStart!.spanId,
      agentId: "lead",
    });
  });

  it("gives point events the parent's agent, and refuses a span id that is not one", async () => {
    const { chaukas, sent } = memoryClient();
    const session = chaukas.startSession();
    const agent = session.agentStart({ agentId: "triage", agentName: "Triage" });
    pendingSpanScope(chaukas, agent, TOOL_SPAN).error(new Error("boom"));
    await chaukas.flush();
    expect(sent.at(-1)).toMatchObject({
      type: EventType.ERROR,
      parentSpanId: TOOL_SPAN,
      agentId: "triage",
      agentName: "Triage",
    });
    for (const bad of ["span_0123", "0".repeat(16), "A1B2C3D4E5F60718"]) {
      expect(() => pendingSpanScope(chaukas, agent, bad)).toThrow(
        expect.objectContaining({ name: ChaukasValidationError.name, field: "span_id" }),
      );
    }
  });
});
