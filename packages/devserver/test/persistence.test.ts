import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, equals } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { EventSchema, EventType, RetryInfoSchema, SortOrder } from "@chaukas/spec/common/v1";
import { afterAll, describe, expect, it } from "vitest";
import { startDevServer } from "../src/index.js";
import { chaukasClient } from "./clients.js";
import { makeEvent, oneOfEachType } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "chaukas-devserver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lines(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

describe("--data FILE", () => {
  it("keeps every accepted event across a restart, field for field, and stays idempotent", async () => {
    const data = join(dir, "events.jsonl");
    const events = oneOfEachType({ sessionId: "persisted" });
    // An extension packed as google.protobuf.Any cannot be written as JSON without a type
    // registry; it must survive anyway.
    const withExtension = create(EventSchema, {
      ...makeEvent(EventType.SYSTEM, 99, { sessionId: "persisted" }),
      extensions: [anyPack(RetryInfoSchema, create(RetryInfoSchema, { attempt: 3 }))],
    });
    const all = [...events, withExtension];

    const first = await startDevServer({ data });
    try {
      await chaukasClient("grpc (HTTP/2)", first.url).ingestEventBatch({
        eventBatch: { events: all },
      });
    } finally {
      await first.close();
    }
    const written = lines(data);
    expect(written).toHaveLength(20);
    expect(JSON.parse(written[0]!)).toMatchObject({
      event_id: events[0]!.eventId,
      session_id: "persisted",
    });

    const second = await startDevServer({ data });
    try {
      expect(second.store.size).toBe(20);
      const client = chaukasClient("grpc (HTTP/2)", second.url);
      const { response } = await client.queryEvents({
        query: { filter: { sessionId: "persisted" }, orderByTime: SortOrder.ASC },
      });
      const got = response?.events ?? [];
      const byId = new Map(all.map((e) => [e.eventId, e]));
      expect(got).toHaveLength(20);
      for (const event of got) {
        expect(equals(EventSchema, event, byId.get(event.eventId)!), event.eventId).toBe(true);
      }

      // Sent again after the restart: recognised as duplicates, nothing appended.
      await client.ingestEventBatch({ eventBatch: { events: all } });
      expect(second.store.duplicates).toBe(20);
      expect(lines(data)).toHaveLength(20);
    } finally {
      await second.close();
    }
  });

  it("skips a torn last line (a killed process) and reports it instead of failing", async () => {
    const data = join(dir, "torn.jsonl");
    const first = await startDevServer({ data });
    await chaukasClient("grpc (HTTP/2)", first.url).ingestEventBatch({
      eventBatch: { events: oneOfEachType({ sessionId: "torn" }).slice(0, 5) },
    });
    await first.close();
    appendFileSync(data, '{"event_id":"half-writ');

    const errors: string[] = [];
    const second = await startDevServer({
      data,
      logger: { info() {}, error: (line) => errors.push(line) },
    });
    try {
      expect(second.store.size).toBe(5);
      expect(errors.join("\n")).toContain("skipped 1 unreadable line(s)");
      // What arrives after the torn line starts a line of its own.
      await chaukasClient("grpc (HTTP/2)", second.url).ingestEvent({
        event: makeEvent(EventType.SYSTEM, 500, { sessionId: "torn" }),
      });
    } finally {
      await second.close();
    }
    const third = await startDevServer({ data });
    expect(third.store.size).toBe(6);
    await third.close();
  });
});
