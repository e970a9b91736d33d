import {
  clone,
  create,
  createFileRegistry,
  type DescMessage,
  type JsonObject,
  toBinary,
} from "@bufbuild/protobuf";
import {
  DescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
} from "@bufbuild/protobuf/wkt";
import {
  EventSchema,
  file_chaukas_spec_common_v1_events,
  RetryInfoSchema,
} from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { withSortedStructKeys } from "./struct-key-order.js";

/**
 * The spec's events.proto with Struct fields it does not have: `Event.extra` (a Struct),
 * `ToolCall.attachments` (a list of Structs), `ToolCall.by_name` (a map of Structs) and
 * `ToolCall.loose` (a Value). The canonical order must find them from the schema alone.
 */
function eventSchemaWithNewStructFields(): DescMessage {
  const file = clone(FileDescriptorProtoSchema, file_chaukas_spec_common_v1_events.proto);
  const message = (name: string) => file.messageType.find((m) => m.name === name)!;
  const field = (name: string, number: number, typeName: string, repeated = false) =>
    create(FieldDescriptorProtoSchema, {
      name,
      number,
      jsonName: name,
      label: repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL,
      type: FieldDescriptorProto_Type.MESSAGE,
      typeName,
    });
  message("Event").field.push(field("extra", 1000, ".google.protobuf.Struct"));
  const toolCall = message("ToolCall");
  toolCall.field.push(
    field("attachments", 100, ".google.protobuf.Struct", true),
    field("by_name", 101, ".chaukas.spec.common.v1.ToolCall.ByNameEntry", true),
    field("loose", 102, ".google.protobuf.Value"),
  );
  toolCall.nestedType.push(
    create(DescriptorProtoSchema, {
      name: "ByNameEntry",
      field: [
        create(FieldDescriptorProtoSchema, {
          name: "key",
          number: 1,
          jsonName: "key",
          label: FieldDescriptorProto_Label.OPTIONAL,
          type: FieldDescriptorProto_Type.STRING,
        }),
        field("value", 2, ".google.protobuf.Struct"),
      ],
      options: { mapEntry: true },
    }),
  );
  const deps = [
    file_google_protobuf_any,
    file_google_protobuf_struct,
    file_google_protobuf_timestamp,
  ];
  const registry = createFileRegistry(file, (name) =>
    deps.find((d) => d.name === name.replace(/\.proto$/, "")),
  );
  return registry.getMessage(EventSchema.typeName)!;
}

/** The same JSON with its keys (at every depth) in two different orders. */
const json = (reversed: boolean): JsonObject => {
  const inner = reversed ? { q: 1, p: [{ z: 1, y: 2 }] } : { p: [{ y: 2, z: 1 }], q: 1 };
  return reversed ? { b: inner, a: "x" } : { a: "x", b: inner };
};

describe("withSortedStructKeys", () => {
  const schema = eventSchemaWithNewStructFields();
  const event = (reversed: boolean) =>
    create(schema, {
      extra: json(reversed),
      content: {
        case: "toolCall",
        value: {
          name: "lookup",
          attachments: [json(reversed)],
          byName: { k: json(reversed) },
          loose: {
            kind: {
              case: "structValue",
              value: {
                fields: reversed
                  ? {
                      b: { kind: { case: "numberValue", value: 2 } },
                      a: { kind: { case: "stringValue", value: "x" } },
                    }
                  : {
                      a: { kind: { case: "stringValue", value: "x" } },
                      b: { kind: { case: "numberValue", value: 2 } },
                    },
              },
            },
          },
        },
      },
    } as never);

  it("sorts the keys of Struct fields the spec gains, found from the schema", () => {
    const sorted = toBinary(schema, withSortedStructKeys(schema, event(false)));
    const reversed = event(true);
    // Without the canonical order the two encode differently: the test can fail.
    expect(toBinary(schema, reversed)).not.toEqual(sorted);
    expect(toBinary(schema, withSortedStructKeys(schema, reversed))).toEqual(sorted);
  });

  it("leaves the message it is given unchanged", () => {
    const reversed = event(true);
    const before = toBinary(schema, reversed);
    withSortedStructKeys(schema, reversed);
    expect(toBinary(schema, reversed)).toEqual(before);
  });

  it("returns a message whose type holds no Struct as it is", () => {
    const retry = create(RetryInfoSchema, { attempt: 2 });
    expect(withSortedStructKeys(RetryInfoSchema, retry)).toBe(retry);
  });
});
