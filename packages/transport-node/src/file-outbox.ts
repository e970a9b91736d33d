import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import {
  ChaukasValidationError,
  type OutboxClaim,
  type OutboxPutResult,
  type StoredBatch,
} from "@chaukas/client";
import { createOutbox, type Outbox } from "@chaukas/client/outbox";

/** Options of `createFileOutbox`. Defaults are in `FILE_OUTBOX_DEFAULTS`. */
export interface FileOutboxOptions {
  /** Directory of the outbox, shared by every process that should hand batches over. Required. */
  readonly directory: string;
  /**
   * Bytes of stored records (this process's and those it took over) at most. A batch that
   * would exceed it makes room by removing the oldest stored batches (`dropped.outboxFull`,
   * and a loss report). Default 64 MiB.
   */
  readonly maxBytes?: number;
  /**
   * Flush each record to the disk (`fsync`) before the batch is sent. Without it a record
   * survives the process being killed (the kernel holds it), but not the machine losing power.
   * Default false.
   */
  readonly fsync?: boolean;
}

export const FILE_OUTBOX_DEFAULTS = {
  maxBytes: 64 * 1024 * 1024,
  fsync: false,
} as const satisfies Required<Omit<FileOutboxOptions, "directory">>;

/** Record layout: magic, payload length (u32 LE), CRC-32 of the payload (u32 LE), payload. */
const MAGIC = Buffer.from("CHB1");
const HEADER_BYTES = 12;
const RECORD_SUFFIX = ".batch";
const PARTIAL_SUFFIX = ".partial";
/** A process's own directory: `p<pid>-<random token>`. */
const OWNER_DIR = /^p(\d+)-([0-9a-f]+)$/;
/** A taken-over directory inside its new owner's: `adopted-<old name>`. */
const ADOPTED_PREFIX = "adopted-";

/** Tokens of this process's open outboxes: another outbox of this process is not an orphan. */
const liveTokens = new Set<string>();

interface RecordFile {
  readonly path: string;
  readonly bytes: number;
}

/**
 * An `Outbox` in a directory, for `createChaukasClient({ outbox })` in Node:
 *
 * ```ts
 * createChaukasNodeClient({ ..., outbox: createFileOutbox({ directory: "/var/lib/app/chaukas" }) });
 * ```
 *
 * Each batch is one file (`<batch_id>.batch`: a checksummed `IngestEventBatchRequest`) written
 * under a temporary name and renamed, so a kill in the middle of a write leaves a `.partial`
 * file, never a half record under a real name; a record whose checksum fails is skipped too.
 * Both are removed and counted (`stats().corruptRecords`).
 *
 * Several processes may share the directory. Each writes only in a directory of its own
 * (`p<pid>-<token>`), so no two processes ever touch the same record. At start (`claim`), a
 * process takes over the directories of processes that are gone (their pid is not running, or is
 * its own pid under another token: a restarted container) by renaming them into its own: a
 * rename succeeds for exactly one process, so every orphaned batch is delivered by one process
 * only. A pid reused by an unrelated live process keeps its orphan waiting until that process
 * ends. The directory must be on a local file system (rename is atomic there, not on every
 * network file system).
 */
export function createFileOutbox(options: FileOutboxOptions): Outbox {
  if (typeof options !== "object" || options === null) {
    throw new ChaukasValidationError("options", "expected an options object");
  }
  const { directory } = options;
  if (typeof directory !== "string" || directory === "") {
    throw new ChaukasValidationError("directory", "expected a directory path");
  }
  const maxBytes = options.maxBytes ?? FILE_OUTBOX_DEFAULTS.maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new ChaukasValidationError("maxBytes", "expected a positive integer");
  }
  const fsync = options.fsync ?? FILE_OUTBOX_DEFAULTS.fsync;
  const token = randomBytes(6).toString("hex");
  liveTokens.add(token);
  const ownName = `p${process.pid}-${token}`;
  const ownDir = join(directory, ownName);
  /** Every record under `ownDir` (its own and adopted ones), by batch id. */
  const records = new Map<string, RecordFile>();
  let storedBytes = 0;
  let ready: Promise<void> | undefined;
  const ensureDir = () => {
    ready ??= mkdir(ownDir, { recursive: true }).then(() => undefined);
    return ready;
  };

  const forget = (batchId: string): RecordFile | undefined => {
    const record = records.get(batchId);
    if (record !== undefined) {
      records.delete(batchId);
      storedBytes -= record.bytes;
    }
    return record;
  };

  /** Removes the oldest records until `incoming` more bytes fit; returns what they held. */
  const makeRoom = async (incoming: number): Promise<StoredBatch[]> => {
    const evicted: StoredBatch[] = [];
    while (storedBytes + incoming > maxBytes && records.size > 0) {
      let oldest: string | undefined;
      for (const id of records.keys()) if (oldest === undefined || id < oldest) oldest = id;
      const record = forget(oldest!)!;
      const request = await readRecord(record.path).catch(() => undefined);
      await unlink(record.path).catch(() => undefined);
      if (request !== undefined) evicted.push({ batchId: oldest!, request });
    }
    return evicted;
  };

  return createOutbox({
    async put({ batchId, request }: StoredBatch): Promise<OutboxPutResult> {
      const record = encodeRecord(request);
      if (record.length > maxBytes) {
        throw new Error(`batch ${batchId} (${record.length} bytes) exceeds the outbox's maxBytes`);
      }
      await ensureDir();
      const evicted = await makeRoom(record.length);
      const path = join(ownDir, batchId + RECORD_SUFFIX);
      const partial = path + PARTIAL_SUFFIX;
      const file = await open(partial, "w");
      try {
        await file.writeFile(record);
        if (fsync) await file.sync();
      } finally {
        await file.close();
      }
      await rename(partial, path);
      forget(batchId); // a claim running meanwhile may have listed it already
      records.set(batchId, { path, bytes: record.length });
      storedBytes += record.length;
      return { evicted };
    },

    async read(batchId: string): Promise<StoredBatch | undefined> {
      const record = records.get(batchId);
      if (record === undefined) return undefined;
      const request = await readRecord(record.path).catch(() => undefined);
      return request === undefined ? undefined : { batchId, request };
    },

    async remove(batchId: string): Promise<void> {
      const record = forget(batchId);
      if (record !== undefined) await unlink(record.path).catch(ignoreMissing);
    },

    async claim(): Promise<OutboxClaim> {
      await ensureDir();
      for (const name of await readdir(directory).catch(() => [] as string[])) {
        if (name !== ownName && ownerIsGone(name)) {
          // Exactly one claimant's rename succeeds; the others find the source gone.
          await rename(join(directory, name), join(ownDir, ADOPTED_PREFIX + name)).catch(
            ignoreMissing,
          );
        }
      }
      const found: StoredBatch[] = [];
      let corrupt = 0;
      const walk = async (dir: string, adopted: boolean): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const path = join(dir, entry.name);
          if (entry.isDirectory() && entry.name.startsWith(ADOPTED_PREFIX)) {
            await walk(path, true);
          } else if (entry.name.endsWith(PARTIAL_SUFFIX)) {
            // Ours may be a write under way; an adopted one was torn by its writer's death.
            if (adopted) {
              corrupt++;
              await unlink(path).catch(ignoreMissing);
            }
          } else if (entry.name.endsWith(RECORD_SUFFIX)) {
            const batchId = entry.name.slice(0, -RECORD_SUFFIX.length);
            const request = await readRecord(path).catch(() => undefined);
            if (request === undefined) {
              corrupt++;
              forget(batchId);
              await unlink(path).catch(ignoreMissing);
            } else {
              if (!records.has(batchId)) {
                records.set(batchId, { path, bytes: request.length + HEADER_BYTES });
                storedBytes += request.length + HEADER_BYTES;
              }
              found.push({ batchId, request });
            }
          }
        }
      };
      await walk(ownDir, false);
      // Batch ids are UUIDv7: their order is the order the batches were cut. Above maxBytes
      // after a take-over, the next put removes the oldest (and the client reports them).
      found.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
      return { batches: found, corrupt };
    },

    async close(): Promise<void> {
      liveTokens.delete(token);
      // An empty directory of ours is removed; one with records is left for the next process.
      if (records.size === 0 && ready !== undefined) {
        await rm(ownDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  });
}

function encodeRecord(payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  MAGIC.copy(record, 0);
  record.writeUInt32LE(payload.length, 4);
  record.writeUInt32LE(crc32(payload), 8);
  record.set(payload, HEADER_BYTES);
  return record;
}

/** The payload of a record file; throws when it is torn or corrupt. */
async function readRecord(path: string): Promise<Uint8Array> {
  const record = await readFile(path);
  const payload = record.subarray(HEADER_BYTES);
  if (
    record.length < HEADER_BYTES ||
    !record.subarray(0, 4).equals(MAGIC) ||
    record.readUInt32LE(4) !== payload.length ||
    record.readUInt32LE(8) !== crc32(payload)
  ) {
    throw new Error(`${path} is not a complete outbox record`);
  }
  return new Uint8Array(payload.buffer, payload.byteOffset, payload.length);
}

/** True when `name` is the directory of a process that no longer runs. */
function ownerIsGone(name: string): boolean {
  const match = OWNER_DIR.exec(name);
  if (match === null) return false;
  const pid = Number(match[1]);
  // Our own pid under a token no open outbox of ours has: an earlier life of this pid (a
  // restarted container), or an outbox of ours that was closed.
  if (pid === process.pid) return !liveTokens.has(match[2]!);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
