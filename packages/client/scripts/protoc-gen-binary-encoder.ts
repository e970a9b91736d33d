/**
 * protoc-gen-binary-encoder: a protoc plugin (run by `pnpm generate` through
 * packages/client/buf.encoder.gen.yaml) that writes, for each proto file, binary encoders
 * specialised at build time from the schema's descriptors: per message a size function and a
 * write function of straight-line field writes, so a message is measured first and written into
 * one buffer of the exact size (runtime: src/wire/exact-size-encoding.ts).
 *
 * The output encodes exactly what protobuf-es's `toBinary` (default options) encodes: fields in
 * number order, proto3 implicit presence as `toBinary` tests it, explicit presence by an own
 * property that is not undefined, a oneof's set case always, packed repeated scalars, maps in
 * `Object.keys` order, `google.protobuf.Struct` fields in their JSON representation (as
 * protobuf-es holds them, converted the way `wktStructToReflect` converts them), and unknown
 * fields last. The size pass throws (`unexpectedValue`) on any value of another type than the
 * field's, which the caller hands to `toBinary` instead.
 *
 * Options: `shapes=<proto package prefix>=<module prefix>` maps a message's proto package to
 * the module its TypeScript type is imported from (well-known types come from
 * `@bufbuild/protobuf/wkt`), `runtime=<module>` is the runtime's import path.
 */
import {
  type DescField,
  type DescFile,
  type DescMessage,
  type DescOneof,
  ScalarType,
} from "@bufbuild/protobuf";
import {
  createEcmaScriptPlugin,
  type GeneratedFile,
  type ImportSymbol,
  runNodeJs,
} from "@bufbuild/protoplugin";

interface Options {
  shapes: { protoPrefix: string; modulePrefix: string }[];
  runtime: string;
}

function parseOptions(raw: { key: string; value: string }[]): Options {
  const options: Options = { shapes: [], runtime: "" };
  for (const { key, value } of raw) {
    if (key === "shapes") {
      const [protoPrefix, modulePrefix] = value.split("=");
      if (protoPrefix === undefined || modulePrefix === undefined) {
        throw new Error(`shapes=${value}: expected <proto package prefix>=<module prefix>`);
      }
      options.shapes.push({ protoPrefix, modulePrefix });
    } else if (key === "runtime") {
      options.runtime = value;
    } else {
      throw new Error(`unknown option ${key}`);
    }
  }
  if (options.runtime === "") throw new Error("option runtime=<module> is required");
  return options;
}

/** What generated code imports from the runtime (src/wire/exact-size-encoding.ts). */
const RUNTIME_EXPORTS = [
  "ExactWriter",
  "SizeList",
  "unexpectedValue",
  "varint32Size",
  "int32Size",
  "zigzag32",
  "isInt64",
  "isUint64",
  "int64FromString",
  "zigzag64",
  "varint64Size",
  "isFloat32",
  "utf8Size",
  "unknownFieldsSize",
] as const;

const WIRE_VARINT = 0;
const WIRE_BIT64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_BIT32 = 5;
const IMPLICIT = 2; // google.protobuf.FeatureSet.FieldPresence.IMPLICIT

function wireTypeOf(type: ScalarType): number {
  switch (type) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WIRE_LENGTH_DELIMITED;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WIRE_BIT64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WIRE_BIT32;
    default:
      return WIRE_VARINT;
  }
}

/** The bytes of a tag's varint. */
function tagBytes(fieldNo: number, wireType: number): number[] {
  let value = ((fieldNo << 3) | wireType) >>> 0;
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, "0")}`;
const writeTag = (bytes: number[]) => bytes.map((b) => `w.byte(${hex(b)});`).join(" ");

/** Whether protobuf-es holds values of this message-typed field as JSON (`JsonObject`). */
const usesJson = (field: DescField & { message: DescMessage }) =>
  field.message.typeName === "google.protobuf.Struct" &&
  field.parent.typeName !== "google.protobuf.Value";

const isLong = (type: ScalarType) =>
  type === ScalarType.INT64 ||
  type === ScalarType.UINT64 ||
  type === ScalarType.SINT64 ||
  type === ScalarType.FIXED64 ||
  type === ScalarType.SFIXED64;

const fnName = (message: DescMessage) => message.typeName.replace(/\./g, "_");

/** Generates one file's encoders. */
class EncoderFile {
  readonly #f: GeneratedFile;
  readonly #options: Options;
  readonly #pending: (DescMessage | "json")[] = [];
  readonly #done = new Set<DescMessage | "json">();
  #structDesc: DescMessage | undefined;

  constructor(f: GeneratedFile, options: Options) {
    this.#f = f;
    this.#options = options;
  }

  /** A runtime export, imported under its own name (see `generate`). */
  rt(name: (typeof RUNTIME_EXPORTS)[number]): string {
    return name;
  }

  shape(message: DescMessage): ImportSymbol {
    if (message.file.name.startsWith("google/protobuf/")) {
      return this.#f.import(message.name, "@bufbuild/protobuf/wkt", true);
    }
    const mapping = this.#options.shapes.find(({ protoPrefix }) =>
      message.typeName.startsWith(protoPrefix),
    );
    if (mapping === undefined) throw new Error(`no shapes= option for ${message.typeName}`);
    const rest = message.file.proto.package.slice(mapping.protoPrefix.length).replace(/\./g, "/");
    return this.#f.import(message.name, mapping.modulePrefix + rest, true);
  }

  need(target: DescMessage | "json"): void {
    if (!this.#done.has(target)) {
      this.#done.add(target);
      this.#pending.push(target);
    }
  }

  generate(file: DescFile): void {
    const f = this.#f;
    f.preamble(file);
    f.print(
      `import { ${RUNTIME_EXPORTS.join(", ")} } from ${JSON.stringify(this.#options.runtime)};`,
    );
    f.print();
    for (const message of file.messages) {
      this.need(message);
      this.#entryPoints(message);
    }
    for (let target = this.#pending.shift(); target; target = this.#pending.shift()) {
      if (target === "json") this.#jsonStruct();
      else this.#message(target);
    }
  }

  #entryPoints(message: DescMessage): void {
    const f = this.#f;
    const shape = this.shape(message);
    const name = fnName(message);
    f.print("/**");
    f.print(
      ` * The binary encodings of \`messages\`, each as \`toBinary(${message.name}Schema, message)\``,
    );
    f.print(" * makes it: views into one buffer of their exact total size. Throws for a value of");
    f.print(" * another type than its field's: encode that message with `toBinary`.");
    f.print(" */");
    f.print(
      f.export("function", `encode${message.name}List`),
      "(messages: readonly ",
      shape,
      "[]): Uint8Array[] {",
    );
    f.print("  const sizes = new ", this.rt("SizeList"), "();");
    f.print("  let total = 0;");
    f.print("  for (let i = 0; i < messages.length; i++) {");
    f.print("    const place = sizes.reserve();");
    f.print(`    const size = size_${name}(messages[i]!, sizes);`);
    f.print("    sizes.set(place, size);");
    f.print("    total += size;");
    f.print("  }");
    f.print("  const w = new ", this.rt("ExactWriter"), "(new Uint8Array(total), sizes);");
    f.print("  const encodings: Uint8Array[] = [];");
    f.print("  for (let i = 0; i < messages.length; i++) {");
    f.print("    const start = w.position;");
    f.print("    const end = start + w.nextSize();");
    f.print(`    write_${name}(messages[i]!, w);`);
    f.print("    encodings.push(w.bytes.subarray(start, end));");
    f.print("  }");
    f.print("  return encodings;");
    f.print("}");
    f.print();
  }

  #message(message: DescMessage): void {
    const f = this.#f;
    const shape = this.shape(message);
    const name = fnName(message);
    const fields = message.fields.concat().sort((a, b) => a.number - b.number);
    const size: string[] = [];
    const write: string[] = [];
    // Consecutive members of one oneof are one switch; toBinary visits them in number order.
    for (let i = 0; i < fields.length; ) {
      const field = fields[i]!;
      if (field.oneof) {
        const group: DescField[] = [];
        for (; i < fields.length && fields[i]!.oneof === field.oneof; i++) group.push(fields[i]!);
        this.#oneofGroup(field.oneof, group, size, write);
      } else {
        this.#field(field, size, write);
        i++;
      }
    }
    f.print(`function size_${name}(m: `, shape, ", s: ", this.rt("SizeList"), "): number {");
    if (fields.length > 0) {
      f.print(
        `  if (m.$typeName !== "${message.typeName}") `,
        this.rt("unexpectedValue"),
        `("${message.typeName}");`,
      );
    }
    f.print("  let n = 0;");
    for (const line of size) f.print("  ", line);
    f.print("  if (m.$unknown !== undefined) n += ", this.rt("unknownFieldsSize"), "(m.$unknown);");
    f.print("  return n;");
    f.print("}");
    f.print();
    f.print(`function write_${name}(m: `, shape, ", w: ", this.rt("ExactWriter"), "): void {");
    for (const line of write) f.print("  ", line);
    f.print("  if (m.$unknown !== undefined) w.unknownFields(m.$unknown);");
    f.print("}");
    f.print();
  }

  /** Size and write statements of a value `v` of `field`'s type, its tag included. */
  #value(
    kind:
      | { scalar: ScalarType; enumValue: boolean; longAsString: boolean }
      | { message: DescMessage; json: boolean },
    tag: number[],
    where: string,
  ): { size: string; write: string } {
    const rt = (n: (typeof RUNTIME_EXPORTS)[number]) => this.rtName(n);
    if ("message" in kind) {
      const child = kind.json ? "json_struct" : fnName(kind.message);
      this.need(kind.json ? "json" : kind.message);
      const guard = "v === undefined ? 0 : ";
      return {
        size: `{ const p = s.reserve(); const c = ${guard}size_${child}(v, s); s.set(p, c); n += ${tag.length} + ${rt("varint32Size")}(c) + c; }`,
        write: `${writeTag(tag)} w.varint32(w.nextSize()); if (v !== undefined) write_${child}(v, w);`,
      };
    }
    const t = tag.length;
    const bad = `${rt("unexpectedValue")}("${where}")`;
    const type = kind.scalar;
    if (isLong(type)) {
      const signed = type !== ScalarType.UINT64 && type !== ScalarType.FIXED64;
      const value = kind.longAsString ? `${rt("int64FromString")}(v, "${where}")` : "v";
      const check = kind.longAsString
        ? `const x = ${value}; if (!${rt(signed ? "isInt64" : "isUint64")}(x)) ${bad};`
        : `if (typeof v !== "bigint" || !${rt(signed ? "isInt64" : "isUint64")}(v)) ${bad}; const x = v;`;
      const load = kind.longAsString ? "const x = BigInt(v);" : "const x = v;";
      switch (type) {
        case ScalarType.SINT64:
          return {
            size: `{ ${check} n += ${t} + ${rt("varint64Size")}(${rt("zigzag64")}(x)); }`,
            write: `{ ${load} ${writeTag(tag)} w.varint64(${rt("zigzag64")}(x)); }`,
          };
        case ScalarType.FIXED64:
        case ScalarType.SFIXED64:
          return {
            size: `{ ${check} n += ${t + 8}; }`,
            write: `{ ${load} ${writeTag(tag)} w.fixed64(BigInt.asUintN(64, x)); }`,
          };
        default:
          return {
            size: `{ ${check} n += ${t} + ${rt("varint64Size")}(x); }`,
            write: `{ ${load} ${writeTag(tag)} w.varint64(BigInt.asUintN(64, x)); }`,
          };
      }
    }
    const isInt32 = `if (typeof v !== "number" || (v | 0) !== v) ${bad};`;
    const isUint32 = `if (typeof v !== "number" || v >>> 0 !== v) ${bad};`;
    switch (type) {
      case ScalarType.STRING:
        return {
          size: `{ if (typeof v !== "string") ${bad}; const b = ${rt("utf8Size")}(v); s.push(b); n += ${t} + ${rt("varint32Size")}(b) + b; }`,
          write: `${writeTag(tag)} w.string(v);`,
        };
      case ScalarType.BYTES:
        return {
          size: `{ if (!(v instanceof Uint8Array)) ${bad}; n += ${t} + ${rt("varint32Size")}(v.length) + v.length; }`,
          write: `${writeTag(tag)} w.varint32(v.length); w.raw(v);`,
        };
      case ScalarType.BOOL:
        return {
          size: `{ if (typeof v !== "boolean") ${bad}; n += ${t + 1}; }`,
          write: `${writeTag(tag)} w.byte(v ? 1 : 0);`,
        };
      case ScalarType.DOUBLE:
        return {
          size: `{ if (typeof v !== "number") ${bad}; n += ${t + 8}; }`,
          write: `${writeTag(tag)} w.double(v);`,
        };
      case ScalarType.FLOAT:
        return {
          size: `{ if (typeof v !== "number" || !${rt("isFloat32")}(v)) ${bad}; n += ${t + 4}; }`,
          write: `${writeTag(tag)} w.float(v);`,
        };
      case ScalarType.FIXED32:
        return { size: `{ ${isUint32} n += ${t + 4}; }`, write: `${writeTag(tag)} w.fixed32(v);` };
      case ScalarType.SFIXED32:
        return { size: `{ ${isInt32} n += ${t + 4}; }`, write: `${writeTag(tag)} w.sfixed32(v);` };
      case ScalarType.UINT32:
        return {
          size: `{ ${isUint32} n += ${t} + ${rt("varint32Size")}(v); }`,
          write: `${writeTag(tag)} w.varint32(v);`,
        };
      case ScalarType.SINT32:
        return {
          size: `{ ${isInt32} n += ${t} + ${rt("varint32Size")}(${rt("zigzag32")}(v)); }`,
          write: `${writeTag(tag)} w.varint32(${rt("zigzag32")}(v));`,
        };
      default: // INT32 and enums
        return {
          size: `{ ${isInt32} n += ${t} + ${rt("int32Size")}(v); }`,
          write: `${writeTag(tag)} w.int32(v);`,
        };
    }
  }

  /** The printed name of a runtime import (the file prints imports it was given). */
  rtName(name: (typeof RUNTIME_EXPORTS)[number]): string {
    return name;
  }

  #singularKind(field: DescField) {
    if (field.fieldKind === "message") return { message: field.message, json: usesJson(field) };
    if (field.fieldKind === "enum") {
      return { scalar: ScalarType.INT32, enumValue: true, longAsString: false };
    }
    if (field.fieldKind === "scalar") {
      return { scalar: field.scalar, enumValue: false, longAsString: field.longAsString };
    }
    throw new Error(`not a singular field: ${field}`);
  }

  /** A field outside a oneof. */
  #field(field: DescField, size: string[], write: string[]): void {
    const where = `${field.parent.typeName}.${field.name}`;
    const local = JSON.stringify(field.localName);
    const access = `m[${local}]`;
    if (field.fieldKind === "message" && field.delimitedEncoding) {
      throw new Error(`${where}: delimited (group) encoding is not supported`);
    }
    switch (field.fieldKind) {
      case "scalar":
      case "enum":
      case "message": {
        const kind = this.#singularKind(field);
        const tag = tagBytes(
          field.number,
          "message" in kind ? WIRE_LENGTH_DELIMITED : wireTypeOf(kind.scalar),
        );
        const { size: sizeCode, write: writeCode } = this.#value(kind, tag, where);
        const condition = this.#presence(field, local);
        size.push(`{ const v = ${access}; if (${condition}) ${sizeCode} }`);
        write.push(`{ const v = ${access}; if (${condition}) { ${writeCode} } }`);
        return;
      }
      case "list": {
        if (field.listKind === "message") {
          if (field.delimitedEncoding)
            throw new Error(`${where}: delimited encoding is not supported`);
          const kind = { message: field.message, json: usesJson(field) };
          const tag = tagBytes(field.number, WIRE_LENGTH_DELIMITED);
          const { size: sizeCode, write: writeCode } = this.#value(kind, tag, where);
          size.push(
            `{ const l = ${access}; for (let i = 0; i < l.length; i++) { const v = l[i]!; ${sizeCode} } }`,
          );
          write.push(
            `{ const l = ${access}; for (let i = 0; i < l.length; i++) { const v = l[i]!; ${writeCode} } }`,
          );
          return;
        }
        const scalar = field.listKind === "enum" ? ScalarType.INT32 : field.scalar;
        const kind = {
          scalar,
          enumValue: field.listKind === "enum",
          longAsString: field.listKind === "scalar" && field.longAsString,
        };
        if (field.packed) {
          // The elements' sizes without tags, then one length-delimited field.
          const element = this.#value(kind, [], where);
          size.push(
            `{ const l = ${access}; if (l.length > 0) { const p = s.reserve(); const outer = n; n = 0; for (let i = 0; i < l.length; i++) { const v = l[i]!; ${element.size} } const c = n; n = outer; s.set(p, c); n += ${tagBytes(field.number, WIRE_LENGTH_DELIMITED).length} + ${this.rtName("varint32Size")}(c) + c; } }`,
          );
          write.push(
            `{ const l = ${access}; if (l.length > 0) { ${writeTag(tagBytes(field.number, WIRE_LENGTH_DELIMITED))} w.varint32(w.nextSize()); for (let i = 0; i < l.length; i++) { const v = l[i]!; ${element.write} } } }`,
          );
          return;
        }
        const tag = tagBytes(field.number, wireTypeOf(scalar));
        const { size: sizeCode, write: writeCode } = this.#value(kind, tag, where);
        size.push(
          `{ const l = ${access}; for (let i = 0; i < l.length; i++) { const v = l[i]!; ${sizeCode} } }`,
        );
        write.push(
          `{ const l = ${access}; for (let i = 0; i < l.length; i++) { const v = l[i]!; ${writeCode} } }`,
        );
        return;
      }
      case "map": {
        const keyKind = { scalar: field.mapKey, enumValue: false, longAsString: false };
        const keyTag = tagBytes(1, wireTypeOf(field.mapKey));
        const key = this.#value(keyKind, keyTag, `${where} (key)`);
        const valueKind =
          field.mapKind === "message"
            ? { message: field.message, json: usesJson(field) }
            : {
                scalar: field.mapKind === "enum" ? ScalarType.INT32 : field.scalar,
                enumValue: field.mapKind === "enum",
                longAsString: false,
              };
        const valueTag = tagBytes(
          2,
          "message" in valueKind ? WIRE_LENGTH_DELIMITED : wireTypeOf(valueKind.scalar),
        );
        const value = this.#value(valueKind, valueTag, `${where} (value)`);
        const keyOf = this.#mapKeyConversion(field.mapKey);
        const entryTag = tagBytes(field.number, WIRE_LENGTH_DELIMITED);
        size.push(
          `{ const r = ${access}; const keys = Object.keys(r); for (let i = 0; i < keys.length; i++) { const k = keys[i]!; const p = s.reserve(); const outer = n; n = 0; { const v = ${keyOf}; ${key.size} } { const v = r[k]; ${value.size} } const c = n; n = outer; s.set(p, c); n += ${entryTag.length} + ${this.rtName("varint32Size")}(c) + c; } }`,
        );
        write.push(
          `{ const r = ${access}; const keys = Object.keys(r); for (let i = 0; i < keys.length; i++) { const k = keys[i]!; ${writeTag(entryTag)} w.varint32(w.nextSize()); { const v = ${keyOf}; ${key.write} } { const v = r[k]!; ${value.write} } } }`,
        );
        return;
      }
    }
  }

  /** The map key as toBinary converts it from the object key (a string) before writing it. */
  #mapKeyConversion(type: ScalarType): string {
    switch (type) {
      case ScalarType.STRING:
        return "k";
      case ScalarType.BOOL:
        return `(k === "true" ? true : k === "false" ? false : k)`;
      default:
        return isLong(type) ? `(/^-?[0-9]+$/.test(k) ? BigInt(k) : k)` : "Number.parseInt(k)";
    }
  }

  /** toBinary's test of whether a field outside a oneof is written. */
  #presence(field: DescField, local: string): string {
    if (field.fieldKind === "message" || field.presence !== IMPLICIT) {
      return `v !== undefined && Object.prototype.hasOwnProperty.call(m, ${local})`;
    }
    if (field.fieldKind === "enum") return `v !== ${field.enum.values[0]!.number}`;
    if (field.fieldKind !== "scalar") throw new Error(`no presence rule for ${field}`);
    switch (field.scalar) {
      case ScalarType.BOOL:
        return "v !== false";
      case ScalarType.STRING:
        return `v !== ""`;
      case ScalarType.BYTES:
        return "!(v instanceof Uint8Array) || v.byteLength > 0";
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return "!Object.is(v, 0)";
      default:
        // Loose, as toBinary tests it: matches 0n, 0 and "0".
        return "(v as unknown) != 0";
    }
  }

  /** Consecutive members of a oneof: the set one is written whatever its value. */
  #oneofGroup(oneof: DescOneof, group: DescField[], size: string[], write: string[]): void {
    const local = JSON.stringify(oneof.localName);
    const sizeCases: string[] = [];
    const writeCases: string[] = [];
    for (const field of group) {
      const kind = this.#singularKind(field);
      const tag = tagBytes(
        field.number,
        "message" in kind ? WIRE_LENGTH_DELIMITED : wireTypeOf(kind.scalar),
      );
      const where = `${field.parent.typeName}.${field.name}`;
      const code = this.#value(kind, tag, where);
      const caseName = JSON.stringify(field.localName);
      sizeCases.push(`case ${caseName}: { const v = o.value; ${code.size} break; }`);
      writeCases.push(`case ${caseName}: { const v = o.value; ${code.write} break; }`);
    }
    size.push(`{ const o = m[${local}]; switch (o.case) { ${sizeCases.join(" ")} } }`);
    write.push(`{ const o = m[${local}]; switch (o.case) { ${writeCases.join(" ")} } }`);
  }

  /** `google.protobuf.Struct` held as JSON, encoded as `wktStructToReflect` would convert it. */
  #jsonStruct(): void {
    const f = this.#f;
    const struct = this.#structDesc;
    if (struct === undefined) throw new Error("google.protobuf.Struct's descriptor not found");
    const value = struct.fields[0]!.message!;
    const list = value.fields.find((x) => x.localName === "listValue")!.message!;
    const no = (message: DescMessage, localName: string) =>
      message.fields.find((x) => x.localName === localName)!.number;
    const tag = (message: DescMessage, localName: string, wire: number) =>
      tagBytes(no(message, localName), wire);
    const fieldsTag = tag(struct, "fields", WIRE_LENGTH_DELIMITED);
    const nullTag = tag(value, "nullValue", WIRE_VARINT);
    const numberTag = tag(value, "numberValue", WIRE_BIT64);
    const stringTag = tag(value, "stringValue", WIRE_LENGTH_DELIMITED);
    const boolTag = tag(value, "boolValue", WIRE_VARINT);
    const structTag = tag(value, "structValue", WIRE_LENGTH_DELIMITED);
    const listTag = tag(value, "listValue", WIRE_LENGTH_DELIMITED);
    const valuesTag = tag(list, "values", WIRE_LENGTH_DELIMITED);
    const keyTag = tagBytes(1, WIRE_LENGTH_DELIMITED);
    const entryValueTag = tagBytes(2, WIRE_LENGTH_DELIMITED);
    const v32 = this.rtName("varint32Size");
    const utf8 = this.rtName("utf8Size");
    const JsonValue = f.import("JsonValue", "@bufbuild/protobuf", true);
    f.print(
      "// google.protobuf.Struct fields hold JSON. Each object becomes a Struct, each value a",
    );
    f.print("// Value: null, number, string, boolean, array (ListValue), object (Struct), and an");
    f.print("// empty Value for anything else, as protobuf-es's wktStructToReflect converts them.");
    f.print();
    f.print("function isJsonObject(j: unknown): j is { [key: string]: ", JsonValue, " } {");
    f.print(`  return j !== null && typeof j === "object" && !Array.isArray(j);`);
    f.print("}");
    f.print();
    f.print("function size_json_struct(j: unknown, s: ", this.rt("SizeList"), "): number {");
    f.print("  if (!isJsonObject(j)) return 0;");
    f.print("  let n = 0;");
    f.print("  const keys = Object.keys(j);");
    f.print("  for (let i = 0; i < keys.length; i++) {");
    f.print("    const k = keys[i]!;");
    f.print("    const p = s.reserve();");
    f.print(`    const b = ${utf8}(k);`);
    f.print("    s.push(b);");
    f.print("    const q = s.reserve();");
    f.print("    const c = size_json_value(j[k], s);");
    f.print("    s.set(q, c);");
    f.print(
      `    const e = ${keyTag.length} + ${v32}(b) + b + ${entryValueTag.length} + ${v32}(c) + c;`,
    );
    f.print("    s.set(p, e);");
    f.print(`    n += ${fieldsTag.length} + ${v32}(e) + e;`);
    f.print("  }");
    f.print("  return n;");
    f.print("}");
    f.print();
    f.print("function size_json_value(j: unknown, s: ", this.rt("SizeList"), "): number {");
    f.print("  switch (typeof j) {");
    f.print(`    case "number": return ${numberTag.length + 8};`);
    f.print(
      `    case "string": { const b = ${utf8}(j); s.push(b); return ${stringTag.length} + ${v32}(b) + b; }`,
    );
    f.print(`    case "boolean": return ${boolTag.length + 1};`);
    f.print(`    case "object": {`);
    f.print(`      if (j === null) return ${nullTag.length + 1};`);
    f.print("      const p = s.reserve();");
    f.print("      const c = Array.isArray(j) ? size_json_list(j, s) : size_json_struct(j, s);");
    f.print("      s.set(p, c);");
    const tagLength =
      listTag.length === structTag.length
        ? `${listTag.length}`
        : `(Array.isArray(j) ? ${listTag.length} : ${structTag.length})`;
    f.print(`      return ${tagLength} + ${v32}(c) + c;`);
    f.print("    }");
    f.print("    default: return 0;");
    f.print("  }");
    f.print("}");
    f.print();
    f.print(
      "function size_json_list(j: readonly unknown[], s: ",
      this.rt("SizeList"),
      "): number {",
    );
    f.print("  let n = 0;");
    f.print("  for (const e of j) {");
    f.print("    const p = s.reserve();");
    f.print("    const c = size_json_value(e, s);");
    f.print("    s.set(p, c);");
    f.print(`    n += ${valuesTag.length} + ${v32}(c) + c;`);
    f.print("  }");
    f.print("  return n;");
    f.print("}");
    f.print();
    f.print("function write_json_struct(j: unknown, w: ", this.rt("ExactWriter"), "): void {");
    f.print("  if (!isJsonObject(j)) return;");
    f.print("  const keys = Object.keys(j);");
    f.print("  for (let i = 0; i < keys.length; i++) {");
    f.print("    const k = keys[i]!;");
    f.print(`    ${writeTag(fieldsTag)} w.varint32(w.nextSize());`);
    f.print(`    ${writeTag(keyTag)} w.string(k);`);
    f.print(`    ${writeTag(entryValueTag)} w.varint32(w.nextSize());`);
    f.print("    write_json_value(j[k], w);");
    f.print("  }");
    f.print("}");
    f.print();
    f.print("function write_json_value(j: unknown, w: ", this.rt("ExactWriter"), "): void {");
    f.print("  switch (typeof j) {");
    f.print(`    case "number": ${writeTag(numberTag)} w.double(j); return;`);
    f.print(`    case "string": ${writeTag(stringTag)} w.string(j); return;`);
    f.print(`    case "boolean": ${writeTag(boolTag)} w.byte(j ? 1 : 0); return;`);
    f.print(`    case "object":`);
    f.print(`      if (j === null) { ${writeTag(nullTag)} w.byte(0); return; }`);
    f.print("      if (Array.isArray(j)) {");
    f.print(`        ${writeTag(listTag)} w.varint32(w.nextSize());`);
    f.print("        for (const e of j) {");
    f.print(`          ${writeTag(valuesTag)} w.varint32(w.nextSize());`);
    f.print("          write_json_value(e, w);");
    f.print("        }");
    f.print("        return;");
    f.print("      }");
    f.print(`      ${writeTag(structTag)} w.varint32(w.nextSize());`);
    f.print("      write_json_struct(j, w);");
    f.print("      return;");
    f.print("  }");
    f.print("}");
    f.print();
  }

  setStructDesc(desc: DescMessage | undefined): void {
    this.#structDesc = desc;
  }
}

const plugin = createEcmaScriptPlugin<Options>({
  name: "protoc-gen-binary-encoder",
  version: "v1",
  parseOptions,
  generateTs(schema) {
    for (const file of schema.files) {
      const f = schema.generateFile(`${file.name}_binary.ts`);
      const generator = new EncoderFile(f, schema.options);
      generator.setStructDesc(findStruct(file));
      // Runtime imports under fixed local names, so generated statements can name them.
      generator.generate(file);
    }
  },
});

/** google.protobuf.Struct among the file's dependencies, if it uses it. */
function findStruct(file: DescFile): DescMessage | undefined {
  for (const dependency of file.dependencies) {
    const found = dependency.messages.find((m) => m.typeName === "google.protobuf.Struct");
    if (found) return found;
  }
  return undefined;
}

runNodeJs(plugin);
