// Values an agent might pass by mistake (or an attacker on purpose) where the SDK expects
// strings, numbers, enums and JSON: wrong types, huge strings, cycles, NaN, undefined,
// numbers that are not enum values, header-breaking characters. They are plain data: no
// getters or proxies that throw, whose exception would be the caller's own.
import fc from "fast-check";

/** An object that contains itself. */
function cyclicObject(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: "loop" };
  o.self = o;
  return o;
}

/** An array that contains itself. */
function cyclicArray(): unknown[] {
  const a: unknown[] = [1];
  a.push(a);
  return a;
}

/** JSON nested `depth` levels deep: `{ d: { d: … } }`. */
function deepObject(depth: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) o = { d: o };
  return o;
}

/** Bigger than a default batch (256 KiB) but under the devserver's 4 MiB limit. */
export const HUGE_STRING = "h".repeat(300 * 1024);

/** Strings that must never become an HTTP header line or break an encoder. */
export const NASTY_STRINGS = [
  "a\r\nx-injected: 1",
  "\r\n\r\nGET / HTTP/1.1",
  "nul\0byte",
  "lone \uD800 surrogate",
  "\u2028\u2029",
  "<script>alert(1)</script>",
  "__proto__",
  "",
] as const;

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -0,
    1.5,
    2 ** 31,
    2 ** 53,
    true,
    "",
    HUGE_STRING,
    ...NASTY_STRINGS,
  ),
  // Enum fields: numbers that are no value of EventType / Severity / Author / EventStatus.
  fc.integer({ min: -3, max: 70 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.string({ maxLength: 20 }),
  fc.constant(null).map(() => cyclicObject()),
  fc.constant(null).map(() => cyclicArray()),
  fc.constant(null).map(() => deepObject(40)),
  fc.constant(null).map(() => Symbol("s")),
  fc.constant(null).map(() => () => "a function"),
  fc.constant(null).map(() => new Date(Number.NaN)),
  fc.constant(null).map(() => new Map([["k", "v"]])),
  fc.constant(null).map(() => new Uint8Array([1, 2, 3])),
  fc.constant(null).map(() => new Error("an error object")),
  fc.array(fc.anything(), { maxLength: 4 }),
  fc.object({ maxDepth: 3 }),
  fc.anything(),
);
