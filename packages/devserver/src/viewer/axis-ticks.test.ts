import { describe, expect, it } from "vitest";
import { axisTicks } from "./axis-ticks.js";

describe("axisTicks", () => {
  it("puts round values from 0 up to the span", () => {
    expect(axisTicks(1003)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(axisTicks(71)).toEqual([0, 20, 40, 60]);
    expect(axisTicks(6440)).toEqual([0, 2000, 4000, 6000]);
    expect(axisTicks(0)).toEqual([0]);
  });
});
