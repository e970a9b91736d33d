// The outbox stage alone, with a processor played by the test: it starts deliveries only when
// told a slot is free, and settles them when the test says so.
import type { EventBatch } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { createMemoryOutbox, testEvents } from "../../test/pipeline-fixtures.js";
import { fromStoredBatch, toStoredBatch } from "../outbox.js";
import type { OutgoingBatch } from "../pipeline/delivery.js";
import { PipelineStats } from "../pipeline/pipeline-stats.js";
import type { DropReason } from "../pipeline/stats.js";
import { newBatch } from "../wire/encoded-batch.js";
import type { OutboxStageContext } from "./attached-outbox.js";
import { OutboxStage } from "./outbox-stage.js";

interface TestHost {
  /** Free export slots; each delivery started takes one. */
  slots: number;
  readonly started: OutgoingBatch[];
  readonly drops: { reason: DropReason; count: number; ids: string[] }[];
  readonly context: OutboxStageContext;
  readonly stats: PipelineStats;
}

function createHost(slots = 1): TestHost {
  const started: OutgoingBatch[] = [];
  const drops: TestHost["drops"] = [];
  const stats = new PipelineStats();
  const host: TestHost = {
    stats,
    slots,
    started,
    drops,
    context: {
      stats,
      report: () => {},
      drop: (reason, count, events) => {
        drops.push({ reason, count, ids: (events ?? []).map((event) => event.eventId) });
      },
      recordLoss: () => {},
      isKeepalive: () => false,
      slotFree: () => host.slots > 0,
      deliver: async (outgoing) => {
        host.slots--;
        started.push(outgoing);
      },
      pump: () => {},
    },
  };
  return host;
}

const batchOf = (from: number): EventBatch => newBatch(testEvents(10, from));

async function loaded(outgoing: OutgoingBatch): Promise<string[]> {
  const batch = await outgoing.load();
  return batch?.events.map((event) => event.eventId) ?? [];
}

describe("OutboxStage", () => {
  it("writes each batch, and starts them in cut order once written and a slot is free", async () => {
    const outbox = createMemoryOutbox();
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    await stage.store(batchOf(0), 0);
    await stage.store(batchOf(10), 10);
    await expect.poll(() => outbox.records.size).toBe(2);
    expect(stage.heldEvents).toBe(20);
    expect(stage.oldestSeq).toBe(0);
    stage.startDeliveries();
    expect(host.started).toHaveLength(0);
    host.slots = 1;
    stage.startDeliveries();
    expect(host.started.map((outgoing) => outgoing.firstSeq)).toEqual([0]);
    expect(stage.oldestSeq).toBe(10);
    // Acknowledged: the stored copy goes.
    const [first] = host.started;
    await first!.settled!({ keepStored: false });
    expect(outbox.records.size).toBe(1);
    // Only time ran out: the stored copy stays for a later run.
    host.slots = 1;
    stage.startDeliveries();
    await host.started[1]!.settled!({ keepStored: true });
    expect(outbox.records.size).toBe(1);
  });

  /** A memory outbox whose writes wait until `openDisk()`; `started` lists the puts begun. */
  function slowDiskOutbox() {
    const outbox = createMemoryOutbox();
    const memoryPut = outbox.put;
    let openDisk!: () => void;
    const diskOpen = new Promise<void>((resolve) => {
      openDisk = resolve;
    });
    const started: string[] = [];
    outbox.put = async (batch) => {
      started.push(batch.batchId);
      await diskOpen;
      return memoryPut(batch);
    };
    return { outbox, started, openDisk };
  }

  it("takes every batch at once while the disk is busy, and writes 4 at a time in cut order", async () => {
    const { outbox, started, openDisk } = slowDiskOutbox();
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    const batches = [0, 10, 20, 30, 40, 50].map(batchOf);
    // Each store resolves although no write has ended: the processor is not held by the disk.
    for (const [i, batch] of batches.entries()) await stage.store(batch, i * 10);
    expect(started).toHaveLength(4);
    expect(stage.heldEvents).toBe(60);
    openDisk();
    await expect.poll(() => outbox.puts).toEqual(batches.map((batch) => batch.batchId));
    host.slots = 6;
    stage.startDeliveries();
    // The queue never filled: every batch is sent as it was cut, not decoded again.
    const sent = await Promise.all(host.started.map((outgoing) => outgoing.load()));
    expect(sent.every((batch, i) => batch === batches[i])).toBe(true);
  });

  it("once the queue was full, batches waiting for a write hold their record and are sent from it unchanged", async () => {
    const { outbox, openDisk } = slowDiskOutbox();
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    const batches = [0, 10, 20, 30, 40, 50].map(batchOf);
    for (const [i, batch] of batches.entries()) await stage.store(batch, i * 10);
    // The processor found its queue full: nothing is written yet, so nothing spills.
    expect(stage.spill()).toBe(false);
    const last = batchOf(60);
    await stage.store(last, 60);
    batches.push(last);
    openDisk();
    await expect.poll(() => outbox.puts.length).toBe(7);
    host.slots = 7;
    stage.startDeliveries();
    const sent = await Promise.all(host.started.map((outgoing) => outgoing.load()));
    // The 4 written at once kept their events; the 3 that waited were decoded from their record.
    expect(sent.map((batch, i) => batch === batches[i])).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(sent.map((batch) => batch?.events.map((event) => event.eventId))).toEqual(
      batches.map((batch) => batch.events.map((event) => event.eventId)),
    );
    expect(
      sent.map((batch) => (batch === undefined ? undefined : toStoredBatch(batch).request)),
    ).toEqual(batches.map((batch) => toStoredBatch(batch).request));
  });

  it("spills the newest batch held in memory first, and reads it back when its turn comes", async () => {
    const outbox = createMemoryOutbox();
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    for (const from of [0, 10, 20]) await stage.store(batchOf(from), from);
    await expect.poll(() => outbox.records.size).toBe(3);
    expect(stage.spill()).toBe(true);
    expect(stage.heldEvents).toBe(20);
    expect(stage.waitingEvents).toBe(30);
    host.slots = 3;
    stage.startDeliveries();
    expect(await Promise.all(host.started.map(loaded))).toEqual([
      testEvents(10, 0).map((event) => event.eventId),
      testEvents(10, 10).map((event) => event.eventId),
      testEvents(10, 20).map((event) => event.eventId),
    ]);
    expect(stage.spill()).toBe(false);
  });

  it("a spilled batch gone from the outbox is lost, not waited for", async () => {
    const outbox = createMemoryOutbox();
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    await stage.store(batchOf(0), 0);
    await expect.poll(() => outbox.records.size).toBe(1);
    stage.spill();
    outbox.records.clear();
    host.slots = 1;
    stage.startDeliveries();
    expect(await host.started[0]!.load()).toBeUndefined();
  });

  it("claims what an earlier run left and starts it before new batches; flush waits meanwhile", async () => {
    const outbox = createMemoryOutbox();
    const left = toStoredBatch(batchOf(100));
    outbox.records.set(left.batchId, left.request);
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    expect(stage.oldestSeq).toBe(-1);
    await stage.store(batchOf(0), 0);
    await expect.poll(() => host.stats.snapshot(0).recovered).toBe(10);
    expect(stage.oldestSeq).toBe(-1);
    host.slots = 2;
    stage.startDeliveries();
    expect(host.started.map((outgoing) => outgoing.firstSeq)).toEqual([-1, 0]);
    expect(stage.oldestSeq).toBe(Number.POSITIVE_INFINITY);
    expect(await loaded(host.started[0]!)).toEqual(
      fromStoredBatch(left).events.map((event) => event.eventId),
    );
  });

  it("a waiting batch the outbox evicts is dropped as outboxFull, with its events", async () => {
    const batchBytes = toStoredBatch(batchOf(0)).request.length;
    const outbox = createMemoryOutbox(2.5 * batchBytes);
    const host = createHost(0);
    const stage = new OutboxStage(outbox, host.context);
    for (const from of [0, 10, 20]) await stage.store(batchOf(from), from);
    await expect.poll(() => host.drops.length).toBe(1);
    expect(host.drops[0]).toEqual({
      reason: "outboxFull",
      count: 10,
      ids: testEvents(10, 0).map((event) => event.eventId),
    });
    expect(stage.waitingEvents).toBe(20);
    expect(stage.oldestSeq).toBe(10);
  });
});
