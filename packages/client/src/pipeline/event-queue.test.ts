// The event queue alone: numbering, taking from the head, eviction and truncation by rank.
import type { Event } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { testEvent, testEvents } from "../../test/pipeline-fixtures.js";
import { DROP_RANK } from "./drop-priority.js";
import { EventQueue } from "./event-queue.js";

/** A queue holding one test event per rank given, in that order. */
function queueOf(...ranks: (keyof typeof DROP_RANK)[]): { queue: EventQueue; events: Event[] } {
  const queue = new EventQueue();
  const events = testEvents(ranks.length);
  for (const [i, rank] of ranks.entries()) queue.push(events[i]!, DROP_RANK[rank]);
  return { queue, events };
}

describe("EventQueue", () => {
  it("numbers events in order of acceptance and hands them out from the head", () => {
    const queue = new EventQueue();
    const events = testEvents(5);
    for (const event of events) queue.push(event);
    expect(queue).toMatchObject({ length: 5, headSeq: 0, nextSeq: 5 });

    const first = queue.take(3);
    expect(first).toEqual(events.slice(0, 3).map((event, seq) => ({ event, seq })));
    expect(queue).toMatchObject({ length: 2, headSeq: 3, nextSeq: 5 });

    const rest = queue.take(10);
    expect(rest).toEqual(events.slice(3).map((event, i) => ({ event, seq: 3 + i })));
    expect(queue).toMatchObject({ length: 0, headSeq: 5, nextSeq: 5 });
  });

  it("keeps numbering across clear(), so flush targets taken before stay meaningful", () => {
    const queue = new EventQueue();
    for (const event of testEvents(4)) queue.push(event);
    expect(queue.clear()).toBe(4);
    expect(queue).toMatchObject({ length: 0, headSeq: 4, nextSeq: 4 });
    queue.push(testEvents(1)[0]!);
    expect(queue.take(1)[0]!.seq).toBe(4);
  });

  it("makes room for a higher-ranked event by evicting the newest of the lowest rank below it", () => {
    const { queue, events } = queueOf("bulk", "ordinary", "bulk", "essential");
    const [bulk1, ordinary, bulk2, essential] = events;

    expect(queue.evictBelow(DROP_RANK.bulk)).toBeUndefined();
    expect(queue.evictBelow(DROP_RANK.essential)).toBe(bulk2);
    expect(queue.evictBelow(DROP_RANK.ordinary)).toBe(bulk1);
    expect(queue.evictBelow(DROP_RANK.ordinary)).toBeUndefined();
    expect(queue.evictBelow(DROP_RANK.essential)).toBe(ordinary);
    expect(queue).toMatchObject({ length: 1, headSeq: 3, nextSeq: 4 });
    expect(queue.take(10)).toEqual([{ event: essential, seq: 3 }]);
  });

  it("skips evicted events when handing out, and never evicts one already taken", () => {
    const queue = new EventQueue();
    const events = testEvents(6);
    for (const event of events) queue.push(event, DROP_RANK.bulk);
    expect(queue.take(2).map((entry) => entry.seq)).toEqual([0, 1]);
    expect(queue.evictBelow(DROP_RANK.essential)).toBe(events[5]);
    expect(queue.evictBelow(DROP_RANK.essential)).toBe(events[4]);
    expect(queue.take(10).map((entry) => entry.seq)).toEqual([2, 3]);
    expect(queue.evictBelow(DROP_RANK.essential)).toBeUndefined();
    expect(queue).toMatchObject({ length: 0, headSeq: 6, nextSeq: 6 });
  });

  it("cuts the newest waiting event of the lowest rank first; a cut event is never pushed out", () => {
    const { queue, events } = queueOf("bulk", "bulk", "ordinary");
    const [bulk1, bulk2, ordinary] = events;
    const essential = testEvent(3);
    const cutOf = new Map<string, Event>();
    const cut = (event: Event) => {
      const copy = { ...event, eventId: `${event.eventId}-cut` };
      cutOf.set(event.eventId, copy);
      return copy;
    };
    expect(queue.truncateBelow(DROP_RANK.essential, cut)).toBe(true);
    expect(queue.truncatedLength).toBe(1);
    expect([...cutOf.keys()]).toEqual([bulk2!.eventId]);
    // An event whose payload cannot be cut is passed over for the next rank up.
    expect(
      queue.truncateBelow(DROP_RANK.essential, (event) =>
        event === bulk1 ? undefined : cut(event),
      ),
    ).toBe(true);
    expect([...cutOf.keys()]).toEqual([bulk2!.eventId, ordinary!.eventId]);
    // Eviction finds only the uncut one.
    expect(queue.evictBelow(DROP_RANK.essential)).toBe(bulk1);
    expect(queue.evictBelow(DROP_RANK.essential)).toBeUndefined();
    queue.push(essential, DROP_RANK.essential);
    expect(queue.take(10).map(({ event }) => event.eventId)).toEqual([
      `${bulk2!.eventId}-cut`,
      `${ordinary!.eventId}-cut`,
      essential.eventId,
    ]);
    expect(queue.truncatedLength).toBe(0);
  });
});
