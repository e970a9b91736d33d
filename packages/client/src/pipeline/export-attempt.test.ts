// One export attempt alone: its deadline, an outside abort, and an exporter that hangs.
import { create } from "@bufbuild/protobuf";
import { EventBatchSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { EventExporter } from "../wire/exporter.js";
import { attemptExport } from "./export-attempt.js";

const batch = create(EventBatchSchema, { batchId: "b" });
const never: EventExporter = { export: () => new Promise(() => {}) };

describe("attemptExport", () => {
  it("passes the batch, an abort signal and keepalive to the exporter and reports success", async () => {
    const calls: { batchId: string; keepalive: boolean | undefined; signal: AbortSignal }[] = [];
    const result = await attemptExport(
      {
        async export(b, options) {
          calls.push({ batchId: b.batchId, keepalive: options.keepalive, signal: options.signal });
        },
      },
      batch,
      { timeoutMs: 1000, keepalive: true, signal: new AbortController().signal },
    );
    expect(result).toEqual({ ok: true });
    expect(calls).toEqual([{ batchId: "b", keepalive: true, signal: expect.any(AbortSignal) }]);
  });

  it("gives up at the deadline even when the exporter ignores its signal, as DeadlineExceeded", async () => {
    const result = await attemptExport(never, batch, {
      timeoutMs: 20,
      keepalive: false,
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(!result.ok && result.error.code).toBe(Code.DeadlineExceeded);
  });

  it("ends at once when aborted from outside, with the outside reason, not as a timeout", async () => {
    const outside = new AbortController();
    const pending = attemptExport(never, batch, {
      timeoutMs: 60_000,
      keepalive: false,
      signal: outside.signal,
    });
    outside.abort(new ConnectError("shutdown deadline passed", Code.Aborted));
    const result = await pending;
    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(!result.ok && result.error.rawMessage).toBe("shutdown deadline passed");
  });

  it("turns a synchronous throw or a rejection into a ConnectError, never rejecting itself", async () => {
    const options = { timeoutMs: 1000, keepalive: false, signal: new AbortController().signal };
    const thrown = await attemptExport(
      {
        export() {
          throw new TypeError("bad exporter");
        },
      },
      batch,
      options,
    );
    expect(!thrown.ok && thrown.error).toBeInstanceOf(ConnectError);
    const rejected = await attemptExport(
      { export: () => Promise.reject(new ConnectError("down", Code.Unavailable)) },
      batch,
      options,
    );
    expect(!rejected.ok && rejected.error.code).toBe(Code.Unavailable);
  });
});
