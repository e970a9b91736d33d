/**
 * Identifiers: UUIDv7 event ids (time-ordered, so the backend's index stays append-mostly)
 * and W3C trace/span ids. Only `crypto.getRandomValues`, which every runtime has.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    out += HEX[b];
  }
  return out;
}

// getRandomValues costs a system call or more per call (20+ µs in some sandboxes), and an
// event needs three ids: draw entropy in blocks, as Node's crypto.randomUUID does.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Fresh CSPRNG bytes (a copy: callers may modify them). */
function randomBytes(length: number): Uint8Array {
  if (poolOffset + length > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

/** A random, non-zero 32-hex-character W3C trace id. */
export function newTraceId(): string {
  return nonZeroHex(16);
}

/** A random, non-zero 16-hex-character W3C span (parent) id. */
export function newSpanId(): string {
  return nonZeroHex(8);
}

function nonZeroHex(length: number): string {
  for (;;) {
    const bytes = randomBytes(length);
    // All-zero ids are invalid in W3C trace context; the odds are 2^-64 at worst, but cheap to rule out.
    if (bytes.some((b) => b !== 0)) {
      return hex(bytes);
    }
  }
}

let lastMs = -1;
// 12-bit counter (rand_a) plus 32 more bits of rand_b used as a counter within one millisecond.
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a counter seeded randomly each
 * millisecond (method 1 of §6.2), then random bits. Ids made in the same process sort in
 * creation order even within one millisecond or when the clock steps back.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  let ms = Math.floor(nowMs);
  if (ms > lastMs) {
    lastMs = ms;
    // Seed with the top bit clear so the counter has room to grow within this millisecond.
    counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!;
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
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The Unix milliseconds a UUIDv7 carries. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}
