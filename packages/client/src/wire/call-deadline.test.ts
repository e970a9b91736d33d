// One deadline per export: the transport's `timeoutMs` is what the exporter sends and what the
// processor cuts an attempt at; the deprecated client options still override it.
import { create } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { EventBatchSchema } from "@chaukas/spec/common/v1";
import { Code, type ConnectError, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createChaukasClient } from "../client.js";
import { callDeadlineOf, withCallDeadline } from "./call-deadline.js";
import { createConnectExporter } from "./connect-exporter.js";
import type { ExportErrorInfo } from "./export-error.js";

/** A backend whose ingest call never answers; records the deadline each call carried. */
function hungTransport() {
  const deadlines: (number | undefined)[] = [];
  const transport = createRouterTransport((router) =>
    router.service(ChaukasClientService, {
      ingestEventBatch: (_request, context) => {
        deadlines.push(context.timeoutMs());
        return new Promise(() => {});
      },
    }),
  );
  return { transport, deadlines };
}

/** The error of the one export a client with these options makes to a hung backend. */
async function cutExport(options: Parameters<typeof createChaukasClient>[0]) {
  const errors: [ConnectError, ExportErrorInfo][] = [];
  const chaukas = createChaukasClient({
    ...options,
    reportLoss: false,
    retry: { maxAttempts: 1 },
    onError: (error, info) => errors.push([error, info]),
  });
  chaukas.startSession();
  await chaukas.flush();
  await chaukas.shutdown();
  return errors.map(([error]) => error.rawMessage);
}

describe("the export deadline", () => {
  it("is the transport's timeoutMs: sent with the call and the attempt's cut", async () => {
    const { transport, deadlines } = hungTransport();
    const errors = await cutExport({
      transport: withCallDeadline(transport, 40),
      tenantId: "t",
      projectId: "p",
    });
    expect(errors).toEqual(["the export deadline (40 ms) passed"]);
    expect(deadlines.length).toBe(1);
    expect(deadlines[0]).toBeLessThanOrEqual(40);
  });

  it("is overridden by the deprecated exportTimeoutMs, then callTimeoutMs", async () => {
    const withBoth = hungTransport();
    expect(
      await cutExport({
        transport: withCallDeadline(withBoth.transport, 60_000),
        exportTimeoutMs: 30,
        callTimeoutMs: 50,
        tenantId: "t",
        projectId: "p",
      }),
    ).toEqual(["the export deadline (30 ms) passed"]);
    const withCall = hungTransport();
    expect(
      await cutExport({
        transport: withCallDeadline(withCall.transport, 60_000),
        callTimeoutMs: 50,
        tenantId: "t",
        projectId: "p",
      }),
    ).toEqual(["the export deadline (50 ms) passed"]);
  });

  it("is told by the Connect exporter, from its option or its transport", () => {
    const { transport } = hungTransport();
    expect(createConnectExporter(transport).timeoutMs).toBeUndefined();
    expect(createConnectExporter(withCallDeadline(transport, 1234)).timeoutMs).toBe(1234);
    expect(
      createConnectExporter(withCallDeadline(transport, 1234), { timeoutMs: 99 }).timeoutMs,
    ).toBe(99);
    expect(callDeadlineOf(transport)).toBeUndefined();
    expect(() => createConnectExporter(transport, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it("cuts the Connect exporter's own call at that deadline, without the processor", async () => {
    const { transport } = hungTransport();
    const exporter = createConnectExporter(withCallDeadline(transport, 20));
    await expect(
      exporter.export(create(EventBatchSchema), { signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });
});
