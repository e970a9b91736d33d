import { create } from "@bufbuild/protobuf";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { createChaukasClient } from "../client.js";
import { truncatePayload } from "../pipeline/truncation.js";
import { redact } from "../redact.js";
import { formatFieldPath, parseFieldPath, pathUnder } from "./field-path.js";
import { ChaukasValidationError } from "./validation-error.js";

// Keys on which the old rules disagreed: `$ref` was `.$ref` in validation errors and
// `["$ref"]` in truncation records; `x-id` was read after a dot by redaction only.
const PATH = ["tool_call", "arguments", "$ref", 0, "x-id", "ok_1"];
const PRINTED = 'tool_call.arguments["$ref"][0]["x-id"].ok_1';

describe("field paths", () => {
  it("prints proto names and identifier keys after dots, indexes and other keys in brackets", () => {
    expect(formatFieldPath(PATH)).toBe(PRINTED);
    expect(formatFieldPath(["metadata", "a b", 2])).toBe('metadata["a b"][2]');
    // The field a check starts at is written as given: an option, or a proto path.
    expect(formatFieldPath(["tool_call.arguments", "q"])).toBe("tool_call.arguments.q");
    expect(formatFieldPath([])).toBe("");
  });

  it("reads back what it prints", () => {
    expect(parseFieldPath(PRINTED, "paths")).toEqual([
      { key: "tool_call" },
      { key: "arguments" },
      { key: "$ref" },
      { index: 0 },
      { key: "x-id" },
      { key: "ok_1" },
    ]);
  });

  it("still reads `-` and `$` after a dot, as earlier versions did", () => {
    expect(parseFieldPath("metadata.x-api-key.$ref", "paths")).toEqual([
      { key: "metadata" },
      { key: "x-api-key" },
      { key: "$ref" },
    ]);
  });

  it("refuses what it cannot read, naming the option", () => {
    expect(() => parseFieldPath("a..b", "redaction.fields")).toThrow(
      expect.objectContaining({ field: "redaction.fields" }),
    );
    expect(() => parseFieldPath("", "redaction.fields")).toThrow(ChaukasValidationError);
  });

  it("moves a path under a parent", () => {
    expect(pathUnder(["events", 2], "timestamp")).toBe("events[2].timestamp");
    expect(pathUnder(["events", 2], '["a b"]')).toBe('events[2]["a b"]');
    expect(pathUnder(["events", 2], "")).toBe("events[2]");
  });

  describe("the same path is printed the same way by", () => {
    const args = (leaf: unknown) => ({ $ref: [{ "x-id": { ok_1: leaf } }] });
    const toolCall = (leaf: unknown) =>
      create(EventSchema, {
        eventId: "e",
        type: EventType.TOOL_CALL_START,
        content: { case: "toolCall", value: { name: "lookup", arguments: args(leaf) as never } },
      });

    it("validation", () => {
      const chaukas = createChaukasClient({
        exporter: { export: async () => {} },
        tenantId: "t",
        projectId: "p",
      });
      const error = (() => {
        try {
          chaukas.emit(toolCall(() => 1));
        } catch (caught) {
          return caught as ChaukasValidationError;
        }
      })();
      expect(error).toBeInstanceOf(ChaukasValidationError);
      expect(error?.field).toBe(PRINTED);
    });

    it("redaction", async () => {
      const out = await redact(toolCall("secret"), [PRINTED]);
      expect(out.redaction?.fields).toEqual([PRINTED]);
      const star = await redact(toolCall("secret"), ['tool_call.arguments["$ref"][*].*.*']);
      expect(star.redaction?.fields).toEqual([PRINTED]);
    });

    it("truncation", () => {
      expect(truncatePayload(toolCall("x".repeat(1000))).fields).toEqual([PRINTED]);
    });
  });
});
