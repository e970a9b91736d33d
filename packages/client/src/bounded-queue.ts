/**
 * A FIFO ring buffer with a hard capacity. `push` and `shift` are O(1) (amortised: storage
 * doubles on demand up to `capacity`, so an idle client does not pre-allocate 10 000 slots).
 */
export interface BoundedQueue<T> {
  readonly capacity: number;
  readonly size: number;
  /** Appends `item`; returns false, leaving the queue unchanged, when it is full. */
  push(item: T): boolean;
  /** Removes and returns the oldest item. */
  shift(): T | undefined;
  /** Removes up to `max` of the oldest items, oldest first. */
  take(max: number): T[];
}

const INITIAL_SLOTS = 64;

export function createBoundedQueue<T>(capacity: number): BoundedQueue<T> {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  let slots: (T | undefined)[] = new Array(Math.min(capacity, INITIAL_SLOTS));
  let head = 0;
  let size = 0;

  function grow(): void {
    const next: (T | undefined)[] = new Array(Math.min(capacity, slots.length * 2));
    for (let i = 0; i < size; i++) {
      next[i] = slots[(head + i) % slots.length];
    }
    slots = next;
    head = 0;
  }

  function shift(): T | undefined {
    if (size === 0) {
      return undefined;
    }
    const item = slots[head];
    slots[head] = undefined; // let the event be collected once it is sent
    head = (head + 1) % slots.length;
    size--;
    return item;
  }

  return {
    capacity,
    get size() {
      return size;
    },
    push(item: T): boolean {
      if (size === capacity) {
        return false;
      }
      if (size === slots.length) {
        grow();
      }
      slots[(head + size) % slots.length] = item;
      size++;
      return true;
    },
    shift,
    take(max: number): T[] {
      const count = Math.min(max, size);
      const out = new Array<T>(count);
      for (let i = 0; i < count; i++) {
        out[i] = shift() as T;
      }
      return out;
    },
  };
}
