/**
 * `@chaukas/client/outbox`: durable batches. `createOutbox(store)` makes the client's `outbox`
 * option from an `OutboxStore`, together with the pipeline stage that drives it (`OutboxStage`),
 * and `toStoredBatch`/`fromStoredBatch` convert between a batch and its stored record. A subpath
 * of its own so that applications without an outbox do not bundle the stage.
 *
 * @module outbox
 */
import type { AttachedOutbox, OutboxStageContext } from "./outbox/attached-outbox.js";
import { OutboxStage } from "./outbox/outbox-stage.js";
import type { StoredBatch } from "./outbox/stored-batch.js";
import { ChaukasValidationError } from "./validation/validation-error.js";

export { fromStoredBatch, type StoredBatch, toStoredBatch } from "./outbox/stored-batch.js";

/** What `OutboxStore.put` did to stay within its size bound. */
export interface OutboxPutResult {
  /** Older batches removed to make room, oldest first: their events are lost. */
  readonly evicted: readonly StoredBatch[];
}

/** What `OutboxStore.claim` found. */
export interface OutboxClaim {
  /**
   * Batches that earlier processes (or closed tabs) stored and the backend never acknowledged,
   * oldest first. They now belong to this outbox: no other process or tab delivers them.
   */
  readonly batches: readonly StoredBatch[];
  /** Records that could not be read (torn by a kill in mid-write, or corrupt): removed. */
  readonly corrupt: number;
}

/**
 * Durable storage of batches between their cut and the backend's acknowledgement: what an
 * outbox keeps and where. `createFileOutbox` (`@chaukas/transport-node`) and
 * `createIndexedDbOutbox` (`@chaukas/transport-web`) are built on one; `createOutbox(store)` turns
 * another into the client's `outbox` option. Called off the caller's stack only, and at most one
 * call of `put`/`remove` at a time per batch.
 */
export interface OutboxStore {
  /** Stores one batch; resolves once it would survive the process being killed. */
  put(batch: StoredBatch): Promise<OutboxPutResult>;
  /**
   * The batch stored under `batchId`, or undefined if there is none (or it cannot be read). The
   * processor reads back batches it released from memory while the queue was full.
   */
  read(batchId: string): Promise<StoredBatch | undefined>;
  /** Forgets a batch the backend acknowledged (or that can never be delivered). */
  remove(batchId: string): Promise<void>;
  /**
   * Takes over what was left pending by processes or tabs that are gone. Called once when the
   * client starts and again whenever `onAvailable` fires. Never rejects for a bad record.
   */
  claim(): Promise<OutboxClaim>;
  /**
   * Calls `listener` when stored batches may be deliverable again (a browser's `online` event);
   * returns a function that stops the calls. Optional.
   */
  onAvailable?(listener: () => void): () => void;
  /** Releases what the outbox holds (locks, handles). Called once, by `shutdown()`. */
  close?(): Promise<void>;
}

/**
 * The client's `outbox` option: an `OutboxStore` with the stage that drives it in the pipeline.
 * Made by `createOutbox(store)`; `createFileOutbox` and `createIndexedDbOutbox` return one.
 */
export interface Outbox extends OutboxStore {
  /**
   * @internal Starts the stage that drives this outbox in one processor; called once, by the
   * processor's constructor.
   */
  attach(context: OutboxStageContext): AttachedOutbox;
}

/**
 * The client's `outbox` option over `store`: each batch is written to it before its first attempt
 * and removed once acknowledged; what earlier processes left is claimed and delivered first (see
 * the client README, "Outbox"). Throws `ChaukasValidationError` unless `store` has `put`, `read`,
 * `remove` and `claim`.
 */
export function createOutbox(store: OutboxStore): Outbox {
  for (const method of ["put", "read", "remove", "claim"] as const) {
    if (typeof store?.[method] !== "function") {
      throw new ChaukasValidationError("outbox", `expected an OutboxStore (no ${method} method)`);
    }
  }
  return {
    put: (batch) => store.put(batch),
    read: (batchId) => store.read(batchId),
    remove: (batchId) => store.remove(batchId),
    claim: () => store.claim(),
    ...(store.onAvailable && { onAvailable: (listener) => store.onAvailable!(listener) }),
    ...(store.close && { close: () => store.close!() }),
    // The stage drives the Outbox it is called on: a copy with a method replaced (a wrapper that
    // also logs each put, say) is driven through that method.
    attach(context) {
      return new OutboxStage(this, context);
    },
  };
}
