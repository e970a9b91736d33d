import { PassThrough } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { EventBatchSchema, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { createConsoleExporter } from "./console-exporter.js";

const batch = create(EventBatchSchema, {
  events: [
    create(EventSchema, {
      eventId: "e-1",
      type: EventType.INPUT_RECEIVED,
      content: { case: "message", value: { role: "user", text: "hi" } },
    }),
    create(EventSchema, { eventId: "e-2", type: EventType.SYSTEM }),
  ],
});

async function printed(pretty: boolean): Promise<string> {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk;
  });
  await createConsoleExporter({ pretty, stream }).export(batch, {
    signal: new AbortController().signal,
  });
  return text;
}

describe("createConsoleExporter", () => {
  it("prints one protobuf-JSON line per event with proto field names", async () => {
    const lines = (await printed(false)).trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { event_id: "e-1", type: "EVENT_TYPE_INPUT_RECEIVED", message: { role: "user", text: "hi" } },
      { event_id: "e-2", type: "EVENT_TYPE_SYSTEM" },
    ]);
  });

  it("indents each event with pretty: true", async () => {
    const text = await printed(true);
    expect(text).toContain('\n  "event_id": "e-1",\n');
    expect(text.split("\n").length).toBeGreaterThan(6);
  });
});
