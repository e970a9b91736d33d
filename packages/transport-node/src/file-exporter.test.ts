import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromJson } from "@bufbuild/protobuf";
import { EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileExporter } from "./file-exporter.js";

const signal = new AbortController().signal;

const batchOf = (prefix: string, count: number) =>
  create(EventBatchSchema, {
    events: Array.from({ length: count }, (_, i) =>
      create(EventSchema, {
        eventId: `${prefix}-${i}`,
        sessionId: "s-1",
        type: EventType.TOOL_CALL_START,
        content: {
          case: "toolCall",
          value: { name: "search", arguments: { q: `${prefix} ${"x".repeat(2000)}` } },
        },
      }),
    ),
  });

describe("createFileExporter", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "chaukas-file-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends one protobuf-JSON line per event with proto field names", async () => {
    const path = join(dir, "events.jsonl");
    const exporter = createFileExporter({ path });
    await exporter.export(batchOf("a", 2), { signal });
    await exporter.export(batchOf("b", 1), { signal });
    await exporter.shutdown?.();

    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      event_id: "a-0",
      session_id: "s-1",
      type: "EVENT_TYPE_TOOL_CALL_START",
      tool_call: { name: "search" },
    });
    expect(lines.map((line) => fromJson(EventSchema, JSON.parse(line)).eventId)).toEqual([
      "a-0",
      "a-1",
      "b-0",
    ]);
  });

  it("keeps lines whole when many exporters append to the same file at once", async () => {
    const path = join(dir, "shared.jsonl");
    const exporters = Array.from({ length: 4 }, () => createFileExporter({ path }));
    await Promise.all(
      exporters.flatMap((exporter, e) =>
        Array.from({ length: 10 }, (_, b) => exporter.export(batchOf(`e${e}b${b}`, 5), { signal })),
      ),
    );
    await Promise.all(exporters.map((exporter) => exporter.shutdown?.()));

    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(4 * 10 * 5);
    const ids = lines.map((line) => fromJson(EventSchema, JSON.parse(line)).eventId);
    expect(new Set(ids).size).toBe(200);
  });

  it("rejects with a non-retryable ConnectError when the directory does not exist", async () => {
    const exporter = createFileExporter({ path: join(dir, "missing", "events.jsonl") });
    const error = await exporter.export(batchOf("a", 1), { signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((error as ConnectError).message).toContain("ENOENT");
  });
});
