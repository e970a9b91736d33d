/**
 * What the generated binary encoders (`wire/gen`, from `scripts/protoc-gen-binary-encoder.ts`)
 * run on. They encode in two passes: the size pass measures every message and string and
 * records the sizes in order (`SizeList`), so one buffer of the exact size is allocated once;
 * the write pass (`ExactWriter`) writes into it, reading the sizes back in the same order for
 * the length prefixes. Nothing grows, is copied on the way, or is sliced at the end, which is
 * what protobuf-es's `BinaryWriter` does (it doubles its buffer and copies it on `finish()`).
 *
 * The size pass also checks every value's type: a value `toBinary` would coerce or reject makes
 * it throw (`unexpectedValue`), and the caller encodes that message with `toBinary` instead, so
 * such input keeps exactly the behaviour it has there.
 */

/** Thrown by a size pass for a value the generated encoder does not encode itself. */
export function unexpectedValue(where: string): never {
  throw new Error(`the generated encoder does not encode this value of ${where}`);
}

/** The sizes a size pass recorded, in the order the write pass needs them. */
export class SizeList {
  readonly values: number[] = [];

  /** Records `size`. */
  push(size: number): void {
    this.values.push(size);
  }

  /** Reserves the next place for a size known only later (a message's, after its fields). */
  reserve(): number {
    return this.values.push(0) - 1;
  }

  /** Sets the size at a place `reserve` returned. */
  set(place: number, size: number): void {
    this.values[place] = size;
  }
}

/** Bytes of the varint of an unsigned 32-bit integer. */
export function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Bytes of an `int32` varint: a negative one is sign-extended to 64 bits, 10 bytes. */
export const int32Size = (value: number): number => (value < 0 ? 10 : varint32Size(value));

/** The zigzag encoding of a signed 32-bit integer (`sint32`). */
export const zigzag32 = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Whether `value` fits a signed 64-bit integer. */
export const isInt64 = (value: bigint): boolean => value >= INT64_MIN && value <= INT64_MAX;

/** Whether `value` fits an unsigned 64-bit integer. */
export const isUint64 = (value: bigint): boolean => value >= 0n && value <= UINT64_MAX;

/** A 64-bit integer field's value given as a decimal string (`jstype = JS_STRING`). */
export function int64FromString(value: unknown, where: string): bigint {
  if (typeof value !== "string" || !/^-?[0-9]+$/.test(value)) unexpectedValue(where);
  return BigInt(value);
}

/** The zigzag encoding of a signed 64-bit integer (`sint64`), as an unsigned one. */
export const zigzag64 = (value: bigint): bigint =>
  BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));

/** Bytes of the varint of a 64-bit integer (two's complement for a negative one). */
export function varint64Size(value: bigint): number {
  let unsigned = BigInt.asUintN(64, value);
  if (unsigned < 0x80000000n) return varint32Size(Number(unsigned));
  let size = 1;
  for (; unsigned >= 0x80n; size++) unsigned >>= 7n;
  return size;
}

/** Whether a number is a valid `float`: NaN and infinities are, finite values beyond its range not. */
export const isFloat32 = (value: number): boolean =>
  Number.isFinite(Math.fround(value)) || !Number.isFinite(value);

/**
 * Bytes of `value` in UTF-8 as `TextEncoder` writes it: a lone surrogate becomes U+FFFD
 * (3 bytes).
 */
export function utf8Size(value: string): number {
  const length = value.length;
  let size = length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      size += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size += 2; // 4 bytes for the two code units
        i++;
      } else {
        size += 2;
      }
    } else {
      size += 2;
    }
  }
  return size;
}

/** One unknown field as protobuf-es keeps it: tag parts and the raw bytes after the tag. */
interface UnknownField {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

/** Bytes of a message's unknown fields, written back as they were read. */
export function unknownFieldsSize(fields: readonly UnknownField[]): number {
  let size = 0;
  for (const { no, wireType, data } of fields) {
    size += varint32Size(((no << 3) | wireType) >>> 0) + data.length;
  }
  return size;
}

/** Strings longer than this go through `TextEncoder.encodeInto`, native and faster on them. */
const LOOP_MAX_LENGTH = 64;

const textEncoder = new TextEncoder();

/** Writes into one buffer of the exact size a size pass measured. */
export class ExactWriter {
  readonly bytes: Uint8Array;
  /** The next byte to write. */
  position = 0;
  readonly #view: DataView;
  readonly #sizes: readonly number[];
  /** The next size to read from the size pass. */
  #nextSize = 0;

  constructor(bytes: Uint8Array, sizes: SizeList) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#sizes = sizes.values;
  }

  /** The next size the size pass recorded. */
  nextSize(): number {
    return this.#sizes[this.#nextSize++]!;
  }

  byte(value: number): void {
    this.bytes[this.position++] = value;
  }

  varint32(value: number): void {
    const bytes = this.bytes;
    let position = this.position;
    while (value > 0x7f) {
      bytes[position++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    bytes[position++] = value;
    this.position = position;
  }

  int32(value: number): void {
    if (value >= 0) {
      this.varint32(value);
    } else {
      this.varint64(BigInt.asUintN(64, BigInt(value)));
    }
  }

  /** An unsigned 64-bit varint (a signed value passed through `BigInt.asUintN(64, …)`). */
  varint64(value: bigint): void {
    if (value < 0x80000000n) {
      this.varint32(Number(value));
      return;
    }
    const bytes = this.bytes;
    while (value > 0x7fn) {
      bytes[this.position++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    bytes[this.position++] = Number(value);
  }

  double(value: number): void {
    this.#view.setFloat64(this.position, value, true);
    this.position += 8;
  }

  float(value: number): void {
    this.#view.setFloat32(this.position, value, true);
    this.position += 4;
  }

  fixed32(value: number): void {
    this.#view.setUint32(this.position, value, true);
    this.position += 4;
  }

  sfixed32(value: number): void {
    this.#view.setInt32(this.position, value, true);
    this.position += 4;
  }

  /** A fixed 64-bit integer (a signed value passed through `BigInt.asUintN(64, …)`). */
  fixed64(value: bigint): void {
    this.#view.setBigUint64(this.position, value, true);
    this.position += 8;
  }

  raw(value: Uint8Array): void {
    this.bytes.set(value, this.position);
    this.position += value.length;
  }

  /** A string's length prefix and UTF-8 bytes; its byte length is the next recorded size. */
  string(value: string): void {
    const size = this.nextSize();
    this.varint32(size);
    const length = value.length;
    if (size === length && length <= LOOP_MAX_LENGTH) {
      // ASCII: one byte per code unit, written directly.
      const bytes = this.bytes;
      let position = this.position;
      for (let i = 0; i < length; i++) bytes[position++] = value.charCodeAt(i);
      this.position = position;
    } else {
      textEncoder.encodeInto(value, this.bytes.subarray(this.position, this.position + size));
      this.position += size;
    }
  }

  unknownFields(fields: readonly UnknownField[]): void {
    for (const { no, wireType, data } of fields) {
      this.varint32(((no << 3) | wireType) >>> 0);
      this.raw(data);
    }
  }
}
