// One batch the outbox stage holds between its cut and its delivery, and what it keeps of it.
import type { EventBatch } from "@chaukas/spec/common/v1";

/**
 * A batch in the outbox waiting for an export slot. In memory it is either its events (`batch`)
 * or its encoded record (`request`), never both; neither once it was spilled (released from
 * memory, read back to be sent).
 */
export interface StoredEntry {
  readonly batchId: string;
  readonly size: number;
  /** The `seq` of its first event; -1 for a claimed batch. */
  readonly seq: number;
  readonly recovered: boolean;
  batch: EventBatch | undefined;
  /**
   * Its record, held instead of its events once the batch waited for a write slot while the
   * queue was full (`#recordsOnly`): decoded again only if it is sent from memory.
   */
  request: Uint8Array | undefined;
  /** False while the outbox is writing it: a batch is sent only once it is stored. */
  written: boolean;
}

export const isSpilled = (entry: StoredEntry): boolean =>
  entry.batch === undefined && entry.request === undefined;
