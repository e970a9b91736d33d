import { describe, expect, it } from "vitest";
import { observeStainlessPromise, type StainlessPromiseObserver } from "./stainless-promise.js";

/**
 * Shaped as the Stainless SDKs' `APIPromise`: the request is already sent, the response is
 * parsed only when the promise is consumed, and `asResponse()` hands it over unparsed.
 */
class LazyApiPromise<T> extends Promise<T> {
  parses = 0;
  #parsed: Promise<T> | undefined;
  constructor(
    private readonly response: Promise<{ body: T }>,
    private readonly transform: (body: unknown) => T = (body) => body as T,
  ) {
    super((resolve) => resolve(null as T));
  }
  static override get [Symbol.species]() {
    return Promise;
  }
  #parse(): Promise<T> {
    this.#parsed ??= this.response.then((r) => {
      this.parses++;
      return this.transform(r.body);
    });
    return this.#parsed;
  }
  // biome-ignore lint/suspicious/noThenProperty: an APIPromise overrides then, as this stands in for one
  override then<A = T, B = never>(
    onValue?: ((value: T) => A | PromiseLike<A>) | null,
    onError?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#parse().then(onValue, onError);
  }
  override catch<B = never>(onError?: ((reason: unknown) => B | PromiseLike<B>) | null) {
    return this.#parse().catch(onError);
  }
  override finally(onFinally?: (() => void) | null) {
    return this.#parse().finally(onFinally);
  }
  asResponse() {
    return this.response;
  }
  async withResponse() {
    return { data: await this.#parse(), response: await this.response };
  }
  _thenUnwrap<U>(transform: (value: T) => U) {
    return new LazyApiPromise<U>(this.response as never, (body) => transform(body as T));
  }
}

function recorder() {
  const seen: unknown[] = [];
  const observer: StainlessPromiseObserver = {
    value: (value) => seen.push(["value", value]),
    response: (response) => seen.push(["response", response]),
    failed: (error) => seen.push(["failed", (error as Error).message]),
  };
  return { seen, observer };
}

describe("observeStainlessPromise", () => {
  it("returns the same promise, and reads nothing before the app consumes it", async () => {
    const { seen, observer } = recorder();
    const promise = new LazyApiPromise(Promise.resolve({ body: "answer" }));
    expect(observeStainlessPromise(promise, observer)).toBe(promise);
    await Promise.resolve();
    expect(promise.parses).toBe(0);
    expect(await promise).toBe("answer");
    expect(seen).toEqual([["value", "answer"]]);
    expect(promise.parses).toBe(1);
  });

  it("tells the value before the app's callback runs, and once however it is consumed", async () => {
    const { seen, observer } = recorder();
    const promise = observeStainlessPromise(
      new LazyApiPromise(Promise.resolve({ body: 1 })),
      observer,
    );
    await promise.then((value) => seen.push(["app", value]));
    await promise.withResponse();
    expect(seen).toEqual([
      ["value", 1],
      ["app", 1],
    ]);
  });

  it("tells asResponse() as the raw response, without parsing it", async () => {
    const { seen, observer } = recorder();
    const promise = observeStainlessPromise(
      new LazyApiPromise(Promise.resolve({ body: "raw" })),
      observer,
    );
    expect(await promise.asResponse()).toEqual({ body: "raw" });
    expect(seen).toEqual([["response", { body: "raw" }]]);
    expect(promise.parses).toBe(0);
  });

  it("observes what the SDK derives with _thenUnwrap instead", async () => {
    const { seen, observer } = recorder();
    const promise = observeStainlessPromise(
      new LazyApiPromise(Promise.resolve({ body: 2 })),
      observer,
    );
    expect(await promise._thenUnwrap((n) => n * 10)).toBe(20);
    expect(seen).toEqual([["value", 20]]);
  });

  it("tells a failure, and the app's await still rejects with it", async () => {
    const { seen, observer } = recorder();
    const promise = observeStainlessPromise(
      new LazyApiPromise<string>(Promise.reject(new Error("429"))),
      observer,
    );
    await expect(promise).rejects.toThrow("429");
    expect(seen).toEqual([["failed", "429"]]);
  });

  it("leaves a promise without the SDK's methods as it is", () => {
    const { observer } = recorder();
    const plain = Promise.resolve(1);
    expect(observeStainlessPromise(plain, observer)).toBe(plain);
    expect(Object.getOwnPropertyNames(plain)).toEqual([]);
  });
});
