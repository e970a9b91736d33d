import { create } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import {
  CapabilitiesSchema,
  type Event,
  type EventBatch,
  EventSchema,
  EventType,
} from "@chaukas/spec/common/v1";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createChaukasClient } from "./client.js";
import { redact } from "./redact.js";
import { ChaukasValidationError } from "./validation/validation-error.js";
import type { EventExporter } from "./wire/exporter.js";

/** A real in-process backend: a Connect router that keeps what it is sent. */
function backend() {
  const batches: EventBatch[] = [];
  const calls = { capabilities: 0 };
  const transport = createRouterTransport((router) =>
    router.service(ChaukasClientService, {
      healthz: () => ({}),
      getCapabilities: () => {
        calls.capabilities++;
        if (calls.capabilities === 1) throw new ConnectError("warming up", Code.Unavailable);
        return { capabilities: create(CapabilitiesSchema, { auditProofs: true }) };
      },
      ingestEvent: () => ({}),
      ingestEventBatch: (req) => {
        if (req.eventBatch) batches.push(req.eventBatch);
        return {};
      },
      queryEvents: () => ({ response: { events: [], nextPageToken: "" } }),
    }),
  );
  const events = () => batches.flatMap((b) => b.events);
  return { transport, batches, events, calls };
}

describe("createChaukasClient", () => {
  it("requires tenant and project and a destination, without echoing the options", () => {
    const { transport } = backend();
    const secret = "sk-live-do-not-print";
    const attempt = (options: Record<string, unknown>) => {
      try {
        createChaukasClient({ transport, headers: { authorization: secret }, ...options } as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ChaukasValidationError);
        expect(String(error)).not.toContain(secret);
        expect(JSON.stringify(error)).not.toContain(secret);
        return (error as ChaukasValidationError).field;
      }
      return undefined;
    };
    expect(attempt({ projectId: "p" })).toBe("tenant_id");
    expect(attempt({ tenantId: "", projectId: "p" })).toBe("tenant_id");
    expect(attempt({ tenantId: "t" })).toBe("project_id");
    expect(attempt({ tenantId: "t", projectId: "p", transport: undefined })).toBe("transport");
    expect(attempt({ tenantId: "t", projectId: "p", maxBatchSize: 0 })).toBe("maxBatchSize");
  });

  it("stamps raw events with ids, time, tenant and the active context", async () => {
    const { transport, events } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p", tags: ["x"] });
    const session = chaukas.startSession({ agentId: "a" });
    const id = session.run(() =>
      chaukas.emit({ type: EventType.SYSTEM, content: { case: undefined } }),
    );
    // The spec's rules only: a type is required, its content is not (the builders add theirs).
    expect(() => chaukas.emit({ type: EventType.UNSPECIFIED })).toThrow(
      expect.objectContaining({ field: "type" }) as ChaukasValidationError,
    );
    await chaukas.shutdown();
    const raw = events().find((e) => e.eventId === id)!;
    expect(raw).toMatchObject({
      tenantId: "t",
      projectId: "p",
      sessionId: session.id,
      traceId: session.traceId,
      parentSpanId: session.spanId,
      agentId: "a",
      tags: ["x"],
    });
    expect(raw.timestamp).toBeDefined();
    expect(chaukas.stats().emitted).toBe(2);
  });

  it("runs beforeSend off the caller's stack: redacts, drops on null, drops (not sends) on throw", async () => {
    const { transport, events } = backend();
    const errors: string[] = [];
    const chaukas = createChaukasClient({
      transport,
      tenantId: "t",
      projectId: "p",
      beforeSend: (event) => {
        if (event.type === EventType.STATE_UPDATE) return null;
        if (event.type === EventType.ERROR) throw new Error("redactor bug");
        return redact(event, ["message.text"], { method: "hash" });
      },
      onError: (error, info) => errors.push(`${info.reason}: ${error.message}`),
      // The report of the dropped ERROR is tested in test/loss-reports.test.ts.
      reportLoss: false,
    });
    const session = chaukas.startSession();
    session.inputReceived("my email is a@b.c");
    session.stateUpdate({ secret: 1 });
    session.error(new Error("contains a@b.c"));
    await chaukas.flush();
    const sent = events();
    expect(sent.map((e) => e.type)).toEqual([EventType.SESSION_START, EventType.INPUT_RECEIVED]);
    const input = sent[1]!;
    expect(input.content.case === "message" && input.content.value.text).toMatch(/^sha256:/);
    expect(input.redaction).toMatchObject({ fields: ["message.text"], method: "hash" });
    expect(JSON.stringify(sent.map((e) => e.content.value))).not.toContain("a@b.c");
    // Filtered on purpose and failed closed are counted apart.
    expect(chaukas.stats().dropped).toMatchObject({ beforeSend: 1, prepareFailed: 1 });
    expect(errors).toEqual([
      expect.stringMatching(
        /^prepare-failed: .*beforeSend threw; event .* was dropped, never sent/,
      ),
    ]);
    await chaukas.shutdown();
  });

  it("refuses events after shutdown, counting them, without throwing", async () => {
    const { transport } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p" });
    await chaukas.shutdown();
    expect(() => chaukas.startSession().end()).not.toThrow();
    expect(chaukas.stats().dropped.shutdown).toBe(2);
  });

  it("caches capabilities only after a success", async () => {
    const { transport, calls } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p" });
    await expect(chaukas.capabilities()).rejects.toMatchObject({ code: Code.Unavailable });
    const first = await chaukas.capabilities();
    expect(first.auditProofs).toBe(true);
    expect(await chaukas.capabilities()).toBe(first);
    expect(calls.capabilities).toBe(2);
    await chaukas.healthz();
    await chaukas.shutdown();
  });

  it("with only an exporter, query and capabilities reject with a clear error", async () => {
    const received: Event[] = [];
    const exporter: EventExporter = {
      async export(batch) {
        received.push(...batch.events);
      },
    };
    const chaukas = createChaukasClient({ exporter, tenantId: "t", projectId: "p" });
    chaukas.system("hello");
    await chaukas.flush();
    expect(received.map((e) => e.type)).toEqual([EventType.SYSTEM]);
    await expect(chaukas.capabilities()).rejects.toThrow(/needs a transport/);
    await expect(chaukas.queryPage()).rejects.toMatchObject({ code: Code.FailedPrecondition });
    const iterate = async () => {
      for await (const _ of chaukas.query()) break;
    };
    await expect(iterate()).rejects.toThrow(/needs a transport/);
    // A bad filter throws at the call site, before any iteration.
    expect(() => chaukas.query({ types: ["NOPE"] })).toThrow(ChaukasValidationError);
    await chaukas.shutdown();
  });

  it("emit() accepts a created Event and keeps its own span id", async () => {
    const { transport, events } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p" });
    const event = create(EventSchema, {
      type: EventType.STATE_UPDATE,
      spanId: "1111111111111111",
      content: { case: "stateUpdate", value: { a: 1 } },
    });
    chaukas.emit(event);
    await chaukas.shutdown();
    expect(events()[0]).toMatchObject({
      spanId: "1111111111111111",
      parentSpanId: "",
      sessionId: "",
    });
  });

  it("emit() keeps a forwarded event's ids and time, and with fromActiveContext false takes nothing from the active span", async () => {
    const { transport, events } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "t", projectId: "p" });
    const session = chaukas.startSession({ agentId: "server-agent" });
    const pageEvent = () =>
      create(EventSchema, {
        eventId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        timestamp: { seconds: 1_700_000_000n, nanos: 5 },
        type: EventType.INPUT_RECEIVED,
        content: { case: "message", value: { text: "hi" } },
      });
    session.run(() => {
      chaukas.emit(pageEvent(), { fromActiveContext: false });
      chaukas.emit(pageEvent());
    });
    await chaukas.shutdown();
    const [, forwarded, stamped] = events();
    expect(forwarded).toMatchObject({
      eventId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      timestamp: { seconds: 1_700_000_000n, nanos: 5 },
      sessionId: "",
      traceId: "",
      spanId: "",
      agentId: "",
      tenantId: "t",
    });
    // Without the option the same event joins the active session, as before.
    expect(stamped).toMatchObject({ sessionId: session.id, agentId: "server-agent" });
  });
});

describe("onShutdown", () => {
  it("runs each callback once when shutdown begins, and delivers what it emits", async () => {
    const { transport, events } = backend();
    const chaukas = createChaukasClient({ transport, tenantId: "acme", projectId: "bot" });
    const session = chaukas.startSession();
    const calls: string[] = [];
    chaukas.onShutdown(() => {
      calls.push("end open session");
      session.end();
    });
    chaukas.onShutdown(() => {
      calls.push("throws");
      throw new Error("integration bug");
    });
    const unregistered = chaukas.onShutdown(() => calls.push("unregistered"));
    unregistered();
    await chaukas.shutdown();
    await chaukas.shutdown();
    expect(calls).toEqual(["end open session", "throws"]);
    expect(events().map((e) => e.type)).toEqual([EventType.SESSION_START, EventType.SESSION_END]);
  });
});
