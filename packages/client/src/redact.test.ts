import { create } from "@bufbuild/protobuf";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { redact } from "./redact.js";
import { sha256Hex } from "./sha256.js";
import { ChaukasValidationError } from "./validation/validation-error.js";

function toolCall(): Event {
  return create(EventSchema, {
    eventId: "e1",
    type: EventType.TOOL_CALL_START,
    tags: ["a", "b"],
    metadata: { "x-api-key": "secret", keep: 1 },
    content: {
      case: "toolCall",
      value: {
        name: "lookup",
        arguments: {
          user: { email: "a@b.c", phone: "555" },
          messages: [{ content: "hi" }, { content: "there" }],
        },
      },
    },
  });
}

describe("redact", () => {
  it("masks JSON paths inside Structs, fills RedactionInfo, and leaves the original alone", async () => {
    const original = toolCall();
    const out = await redact(original, [
      "tool_call.arguments.user.email",
      "tool_call.arguments.messages[*].content",
      'metadata["x-api-key"]',
      "message.text", // another content case: skipped
    ]);
    const args = out.content.case === "toolCall" ? out.content.value.arguments : undefined;
    expect(args).toEqual({
      user: { email: "[REDACTED]", phone: "555" },
      messages: [{ content: "[REDACTED]" }, { content: "[REDACTED]" }],
    });
    expect(out.metadata).toEqual({ "x-api-key": "[REDACTED]", keep: 1 });
    expect(out.redaction?.fields).toEqual([
      "tool_call.arguments.user.email",
      "tool_call.arguments.messages[0].content",
      "tool_call.arguments.messages[1].content",
      'metadata["x-api-key"]',
    ]);
    expect(out.redaction?.method).toBe("mask");
    const originalArgs = original.content.value as { arguments: { user: { email: string } } };
    expect(originalArgs.arguments.user.email).toBe("a@b.c");
  });

  it("hashes with a salt and records its id, never its value", async () => {
    const out = await redact(toolCall(), ["tool_call.arguments.user.email", "tool_call.name"], {
      method: "hash",
      salt: { id: "salt-2025", value: "pepper" },
    });
    const call = out.content.case === "toolCall" ? out.content.value : undefined;
    expect((call?.arguments?.user as { email?: string } | undefined)?.email).toBe(
      `sha256:${await sha256Hex("peppera@b.c")}`,
    );
    expect(call?.name).toBe(`sha256:${await sha256Hex("pepperlookup")}`);
    expect(out.redaction).toMatchObject({ method: "hash", saltId: "salt-2025" });
    expect(JSON.stringify(out.redaction)).not.toContain("pepper");
  });

  it("drops keys, tags and whole Struct fields", async () => {
    const out = await redact(toolCall(), ["tool_call.arguments.user", "tags[0]", "metadata"], {
      method: "drop",
    });
    const call = out.content.case === "toolCall" ? out.content.value : undefined;
    expect(call?.arguments).toEqual({ messages: [{ content: "hi" }, { content: "there" }] });
    expect(out.tags).toEqual(["", "b"]);
    expect(out.metadata).toBeUndefined();
    expect(out.redaction?.fields).toEqual(["tool_call.arguments.user", "tags[0]", "metadata"]);
  });

  it("does not add RedactionInfo when no path matched, and rejects unparsable paths", async () => {
    expect((await redact(toolCall(), ["message.text"])).redaction).toBeUndefined();
    await expect(redact(toolCall(), ["a..b"])).rejects.toBeInstanceOf(ChaukasValidationError);
  });
});
