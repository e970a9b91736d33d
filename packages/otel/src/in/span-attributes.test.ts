import { describe, expect, it } from "vitest";
import {
  countAttribute,
  indexedAttribute,
  jsonAttribute,
  stringsAttribute,
} from "./span-attributes.js";

describe("span attributes", () => {
  it("puts indexed attributes back together as lists in index order", () => {
    expect(
      indexedAttribute(
        {
          "llm.input_messages.10.message.role": "user",
          "llm.input_messages.2.message.role": "system",
          "llm.input_messages.2.message.content": '{"a":1}',
          "llm.other": "x",
        },
        "llm.input_messages",
      ),
    ).toEqual([{ message: { role: "system", content: { a: 1 } } }, { message: { role: "user" } }]);
    expect(indexedAttribute({ "llm.other": 1 }, "llm.input_messages")).toBeUndefined();
  });

  it("treats a __proto__ key as data, never as the prototype", () => {
    const value = indexedAttribute({ "p.__proto__.polluted": "yes" }, "p") as object;
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  it("decodes JSON text and leaves other strings as they are; counts are int32 and whole", () => {
    expect(jsonAttribute({ a: '{"x":[1]}' }, "a")).toEqual({ x: [1] });
    expect(jsonAttribute({ a: "{not json" }, "a")).toBe("{not json");
    expect(jsonAttribute({ a: ['{"n":1}', "plain"] }, "a")).toEqual([{ n: 1 }, "plain"]);
    expect(countAttribute({ a: -1, b: 1.5, c: "7" }, "a", "b", "c")).toBe(7);
    expect(countAttribute({ a: 2 ** 31 }, "a")).toBeUndefined();
  });

  it("reads strings from a list, a single string, or a string holding a JSON list", () => {
    expect(stringsAttribute({ a: ["stop", 1, "length"] }, "a")).toEqual(["stop", "length"]);
    expect(stringsAttribute({ a: "stop" }, "a")).toEqual(["stop"]);
    expect(stringsAttribute({ a: '["stop"]' }, "a")).toEqual(["stop"]);
    expect(stringsAttribute({ a: "[not json" }, "a")).toEqual(["[not json"]);
    expect(stringsAttribute({ a: "", b: [], c: "x" }, "a", "b", "c")).toEqual(["x"]);
  });
});
