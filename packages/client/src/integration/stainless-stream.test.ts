import { describe, expect, it } from "vitest";
import { observeStainlessStream, type StainlessStreamObserver } from "./stainless-stream.js";

/** Shaped as the Stainless SDKs' `Stream`: readers share the source its `iterator` makes. */
class FakeStream {
  readonly controller = new AbortController();
  constructor(private readonly iterator: () => AsyncIterator<number>) {}
  [Symbol.asyncIterator]() {
    return this.iterator();
  }
}

function recorder() {
  const seen: string[] = [];
  const observer: StainlessStreamObserver = {
    event: (event) => seen.push(`event ${String(event)}`),
    ended: (abandoned) => seen.push(abandoned ? "abandoned" : "ended"),
    failed: (error) => seen.push(`failed ${(error as Error).message}`),
  };
  return { seen, observer };
}

async function* numbers(fail = false) {
  yield 1;
  yield 2;
  if (fail) throw new Error("broken");
}

describe("observeStainlessStream", () => {
  it("tells each event before the app gets it, then the end", async () => {
    const { seen, observer } = recorder();
    const stream = new FakeStream(() => numbers());
    expect(observeStainlessStream(stream, observer)).toBe(true);
    for await (const n of stream) seen.push(`app ${n}`);
    expect(seen).toEqual(["event 1", "app 1", "event 2", "app 2", "ended"]);
  });

  it("tells an early close as abandoned, and closes the source", async () => {
    const { seen, observer } = recorder();
    let closed = false;
    const stream = new FakeStream(() =>
      (async function* () {
        try {
          yield* numbers();
        } finally {
          closed = true;
        }
      })(),
    );
    observeStainlessStream(stream, observer);
    for await (const _ of stream) break;
    expect(seen).toEqual(["event 1", "abandoned"]);
    expect(closed).toBe(true);
  });

  it("tells a failure, and the app gets the same error", async () => {
    const { seen, observer } = recorder();
    const stream = new FakeStream(() => numbers(true));
    observeStainlessStream(stream, observer);
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow("broken");
    expect(seen.at(-1)).toBe("failed broken");
  });

  it("observes the first read only, and leaves what is not a stream alone", async () => {
    const { seen, observer } = recorder();
    const stream = new FakeStream(() => numbers());
    observeStainlessStream(stream, observer);
    for await (const _ of stream);
    for await (const _ of stream);
    expect(seen.filter((s) => s === "ended")).toHaveLength(1);
    expect(observeStainlessStream({}, observer)).toBe(false);
    expect(observeStainlessStream(null, observer)).toBe(false);
  });
});
