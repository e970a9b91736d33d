import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBoundedQueue } from "./bounded-queue.js";

describe("createBoundedQueue", () => {
  it("behaves like a capped FIFO array under any sequence of push/shift/take", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(
          fc.oneof(
            fc.constant<["shift"]>(["shift"]),
            fc.tuple(fc.constant("push" as const), fc.integer({ min: 1, max: 100 })),
            fc.tuple(fc.constant("take" as const), fc.integer({ min: 0, max: 100 })),
          ),
          { maxLength: 300 },
        ),
        (capacity, ops) => {
          const queue = createBoundedQueue<number>(capacity);
          const model: number[] = [];
          let next = 0;
          for (const op of ops) {
            if (op[0] === "shift") {
              expect(queue.shift()).toBe(model.shift());
            } else if (op[0] === "push") {
              for (let i = 0; i < op[1]; i++) {
                const accepted = model.length < capacity;
                expect(queue.push(next)).toBe(accepted);
                if (accepted) {
                  model.push(next);
                }
                next++;
              }
            } else {
              expect(queue.take(op[1])).toEqual(model.splice(0, op[1]));
            }
            expect(queue.size).toBe(model.length);
          }
        },
      ),
    );
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => createBoundedQueue(0)).toThrow(RangeError);
    expect(() => createBoundedQueue(1.5)).toThrow(RangeError);
  });
});
