/**
 * Identifiers: UUIDv7 event ids (time-ordered, so the backend's index stays append-mostly)
 * and W3C trace/span ids. Only `crypto.getRandomValues`, which every runtime has.
 */

const DIGITS: readonly number[] = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

// getRandomValues costs a system call or more per call (~10 µs in the sandboxes we measured,
// whatever the size), and an event needs three ids: draw entropy in blocks, as Node's
// crypto.randomUUID does, of the most one call may fill (64 KiB).
const POOL_SIZE = 65536;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Reserves `length` fresh CSPRNG bytes in `pool` and returns their offset (no copy). */
function take(length: number): number {
  if (poolOffset + length > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += length;
  return offset;
}

/*
 * Ids are formatted as the char codes of their digits, written into an array of the id's
 * length and turned into one flat string by `String.fromCharCode`, where concatenating
 * two-digit strings allocated a string per step (a UUIDv7 ~175 instead of ~215 ns here, a span
 * id ~160 instead of ~180 ns; the encoder later reads flat strings without flattening them).
 * Ids are made one at a time, synchronously, so each kind reuses its array.
 */

/** Writes `byte` as two hex digits at `at` of `codes`. */
function putByte(codes: number[], at: number, byte: number): void {
  codes[at] = DIGITS[byte >>> 4]!;
  codes[at + 1] = DIGITS[byte & 0x0f]!;
}

/** Writes `codes.length / 2` pool bytes from `offset` as hex digits, and returns the string. */
function hexString(codes: number[], offset: number): string {
  const length = codes.length >>> 1;
  for (let i = 0; i < length; i++) putByte(codes, 2 * i, pool[offset + i]!);
  return String.fromCharCode.apply(null, codes);
}

const TRACE_ID_CODES = new Array<number>(32).fill(0);
const SPAN_ID_CODES = new Array<number>(16).fill(0);
/** A UUIDv7 after its time: `7ccc-vrrr-rrrrrrrrrrrr` (dashes stay where they are). */
const UUID_TAIL_CODES = Array.from("0000-0000-000000000000", (c) => c.charCodeAt(0));

/** A random, non-zero 32-hex-character W3C trace id. */
export const newTraceId = (): string => nonZeroHex(TRACE_ID_CODES);

/** A random, non-zero 16-hex-character W3C span (parent) id. */
export const newSpanId = (): string => nonZeroHex(SPAN_ID_CODES);

function nonZeroHex(codes: number[]): string {
  const length = codes.length / 2;
  for (;;) {
    const offset = take(length);
    // All-zero ids are invalid in W3C trace context; the odds are 2^-64 at worst, but cheap to rule out.
    for (let i = offset; i < offset + length; i++) {
      if (pool[i] !== 0) return hexString(codes, offset);
    }
  }
}

let lastMs = -1;
let prefixMs = -1;
let prefix = "";
// 12-bit counter (rand_a) plus 32 more bits of rand_b used as a counter within one millisecond.
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a counter seeded randomly each
 * millisecond (method 1 of §6.2), then random bits. Ids made in the same process sort in
 * creation order even within one millisecond or when the clock steps back.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const r = take(10);
  let ms = Math.floor(nowMs);
  if (ms > lastMs) {
    lastMs = ms;
    // Seed with the top bit clear so the counter has room to grow within this millisecond.
    counter = ((pool[r]! & 0x07) << 8) | pool[r + 1]!;
  } else {
    // Same millisecond, or the clock went back: stay on the last timestamp and count up.
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // Counter overflow: borrow the next millisecond, as §6.2 allows.
      lastMs++;
      ms = lastMs;
      counter = 0;
    }
  }
  // 48-bit milliseconds (formatted once per millisecond), version 7 + 12-bit counter,
  // variant 10 + 62 random bits.
  if (ms !== prefixMs) {
    const time = ms.toString(16).padStart(12, "0");
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-`;
    prefixMs = ms;
  }
  const tail = UUID_TAIL_CODES;
  putByte(tail, 0, 0x70 | (counter >>> 8));
  putByte(tail, 2, counter & 0xff);
  putByte(tail, 5, 0x80 | (pool[r + 2]! & 0x3f));
  putByte(tail, 7, pool[r + 3]!);
  for (let i = 0; i < 6; i++) putByte(tail, 10 + 2 * i, pool[r + 4 + i]!);
  return prefix + String.fromCharCode.apply(null, tail);
}
