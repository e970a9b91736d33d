import { describe, expect, it } from "vitest";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { readPublicIngestResult } from "./public-api.js";

describe("readPublicIngestResult", () => {
  it("reads an answer naming refused events", () => {
    const body = {
      batch_id: "b-1",
      accepted_count: 2,
      rejected_count: 1,
      rejected_event_ids: ["e-2"],
      rejected: [{ index: 1, event_id: "e-2", field: "type", reason: "type: expected …" }],
    };
    expect(readPublicIngestResult(body)).toEqual(body);
  });

  it("reads missing lists and counts as empty", () => {
    expect(readPublicIngestResult({})).toEqual({
      batch_id: "",
      accepted_count: 0,
      rejected_count: 0,
      rejected_event_ids: [],
      rejected: [],
    });
  });

  it.each([
    [[], "result"],
    [{ accepted_count: -1 }, "accepted_count"],
    [{ rejected: [{ index: "1" }] }, "rejected[0].index"],
    [{ rejected_event_ids: [3] }, "rejected_event_ids[0]"],
  ])("refuses %j, naming %s", (json, field) => {
    expect(() => readPublicIngestResult(json)).toThrow(ChaukasValidationError);
    expect(() => readPublicIngestResult(json)).toThrow(expect.objectContaining({ field }));
  });
});
