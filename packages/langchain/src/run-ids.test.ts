import { describe, expect, it } from "vitest";
import { spanIdOfRun, traceIdOfRun } from "./run-ids.js";

describe("ids from LangChain run ids", () => {
  it("takes a run's span id from the random end of its UUID and a root's trace id from all of it", () => {
    const runId = "01a2536b-6196-743b-a4ec-1868c94f0a2d";
    expect(spanIdOfRun(runId)).toBe("a4ec1868c94f0a2d");
    expect(traceIdOfRun(runId)).toBe("01a2536b6196743ba4ec1868c94f0a2d");
    expect(spanIdOfRun(runId.toUpperCase())).toBe("a4ec1868c94f0a2d");
  });

  it("gives none for a run id that is not a UUID, or whose bits are all zero", () => {
    expect(spanIdOfRun("my-run")).toBeUndefined();
    expect(traceIdOfRun("my-run")).toBeUndefined();
    expect(spanIdOfRun("01a2536b-6196-743b-0000-000000000000")).toBeUndefined();
    expect(traceIdOfRun("00000000-0000-0000-0000-000000000000")).toBeUndefined();
  });
});
