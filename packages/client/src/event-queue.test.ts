import { describe, expect, it } from "vitest";
import { testEvents } from "../test/pipeline-fixtures.js";
import { EventQueue } from "./event-queue.js";

describe("EventQueue", () => {
  it("numbers events in order of acceptance and hands them out from the head", () => {
    const queue = new EventQueue();
    const events = testEvents(5);
    for (const event of events) queue.push(event);
    expect(queue).toMatchObject({ length: 5, headSeq: 0, nextSeq: 5 });

    const first = queue.take(3);
    expect(first.firstSeq).toBe(0);
    expect(first.events).toEqual(events.slice(0, 3));
    expect(queue).toMatchObject({ length: 2, headSeq: 3, nextSeq: 5 });

    const rest = queue.take(10);
    expect(rest).toEqual({ events: events.slice(3), firstSeq: 3 });
    expect(queue).toMatchObject({ length: 0, headSeq: 5, nextSeq: 5 });
  });

  it("keeps numbering across clear(), so flush targets taken before stay meaningful", () => {
    const queue = new EventQueue();
    for (const event of testEvents(4)) queue.push(event);
    expect(queue.clear()).toBe(4);
    expect(queue).toMatchObject({ length: 0, headSeq: 4, nextSeq: 4 });
    queue.push(testEvents(1)[0]!);
    expect(queue.take(1).firstSeq).toBe(4);
  });
});
