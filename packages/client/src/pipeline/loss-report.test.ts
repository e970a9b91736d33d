// Loss reports as events: what a SYSTEM loss report carries, and reading it back.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { LossLedger, type LossRecord } from "./loss-ledger.js";
import { lossRecordOf, lossReportEvent } from "./loss-report.js";

const lost = (id: string, ms: number, hashPrev = "", contentHash = ""): Event =>
  create(EventSchema, {
    eventId: id,
    sessionId: "s-1",
    traceId: "t-1",
    type: EventType.TOOL_CALL_START,
    timestamp: timestampFromMs(ms),
    hashPrev,
    contentHash,
  });

function take(ledger: LossLedger): LossRecord {
  const { firstRecorded: _, ...record } = ledger.take()!;
  return record;
}

describe("loss reports", () => {
  it("carry their record: lossRecordOf reads back what lossReportEvent wrote", () => {
    const ledger = new LossLedger();
    ledger.record("queueFull", lost("evt-2", 2000), false);
    ledger.record("outboxFull", lost("evt-5", 5000, "h4", "h5"), true);
    ledger.record("outboxFull", lost("evt-6", 6000, "h5", "h6"), true);
    const record = take(ledger);
    expect(lossRecordOf(lossReportEvent(record))).toEqual(record);
    expect(lossRecordOf(lost("evt-7", 7000))).toBeUndefined();
  });

  it("a lost report merged back is said again by the session's next report, with the new losses", () => {
    const first = new LossLedger();
    first.record("outboxFull", lost("evt-5", 5000, "h4", "h5"), true);
    const report = lossReportEvent(take(first));

    const ledger = new LossLedger();
    ledger.record("queueFull", lost("evt-9", 9000), false);
    ledger.merge(lossRecordOf(report)!);
    expect(take(ledger)).toEqual({
      sessionId: "s-1",
      traceId: "t-1",
      events: 2,
      counts: { queueFull: 1, outboxFull: 1 },
      firstEventId: "evt-5",
      lastEventId: "evt-9",
      firstTimestampMs: 5000,
      lastTimestampMs: 9000,
      chainGaps: [{ previousHash: "h4", lastLostHash: "h5", events: 1 }],
    });
    expect(ledger.size).toBe(0);
  });
});
