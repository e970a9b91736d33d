import {
  ChaukasValidationError,
  type OutboxClaim,
  type OutboxPutResult,
  type StoredBatch,
} from "@chaukas/client";
import { createOutbox, type Outbox } from "@chaukas/client/outbox";

/** Options of `createIndexedDbOutbox`. Defaults are in `INDEXEDDB_OUTBOX_DEFAULTS`. */
export interface IndexedDbOutboxOptions {
  /** Name of the IndexedDB database, shared by the tabs of one origin. Default "chaukas-outbox". */
  readonly name?: string;
  /**
   * Bytes of stored batches at most, all tabs together. A batch that would exceed it makes room
   * by removing the oldest batches of this tab or of closed tabs (`dropped.outboxFull`, and a
   * loss report). Default 16 MiB.
   */
  readonly maxBytes?: number;
}

export const INDEXEDDB_OUTBOX_DEFAULTS = {
  name: "chaukas-outbox",
  maxBytes: 16 * 1024 * 1024,
} as const satisfies Required<IndexedDbOutboxOptions>;

/** What the "meta" store keeps per batch (the bytes are in "requests", read only when needed). */
interface BatchMeta {
  readonly batchId: string;
  /** The tab (outbox instance) that delivers it. */
  owner: string;
  readonly bytes: number;
}

const REQUESTS = "requests";
const META = "meta";

/**
 * An `Outbox` in IndexedDB, for `createChaukasClient({ outbox })` / `createChaukasWebClient` in a
 * browser: batches survive a reload, a crash or a closed tab, and are delivered by the next page
 * of the same origin.
 *
 * ```ts
 * createChaukasWebClient({ ..., outbox: createIndexedDbOutbox() });
 * ```
 *
 * Tabs: each outbox holds a Web Lock of its own while it is open (`chaukas-outbox:<name>:<id>`);
 * batches whose owner holds no lock belong to a closed tab. Claims run one at a time across tabs
 * (the lock `chaukas-outbox:<name>:replay`), and a claim re-assigns a batch in the same
 * IndexedDB transaction that finds it orphaned, so each orphaned batch is delivered by one tab.
 * Claims run when the client starts, when a tab holding stored batches closes (tabs announce
 * that they store batches on a BroadcastChannel; the others wait for that tab's lock, which is
 * granted to them when it closes) and on every `online` event, which also re-sends this tab's
 * batches whose retries ran out while offline. Where the Web Locks API is
 * missing, a tab cannot tell closed tabs from open ones and claims only its own batches.
 *
 * Edge runtimes (Workers, Vercel Edge, Deno Deploy) have no local storage that outlives the
 * request: there `flushOnWaitUntil`/`withChaukas` is the story, and no outbox is used.
 */
export function createIndexedDbOutbox(options: IndexedDbOutboxOptions = {}): Outbox {
  if (typeof options !== "object" || options === null) {
    throw new ChaukasValidationError("options", "expected an options object");
  }
  const name = options.name ?? INDEXEDDB_OUTBOX_DEFAULTS.name;
  if (typeof name !== "string" || name === "") {
    throw new ChaukasValidationError("name", "expected a non-empty database name");
  }
  const maxBytes = options.maxBytes ?? INDEXEDDB_OUTBOX_DEFAULTS.maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new ChaukasValidationError("maxBytes", "expected a positive integer");
  }
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  const lockPrefix = `chaukas-outbox:${name}:`;
  const owner = globalThis.crypto.randomUUID();
  let releaseOwnerLock: (() => void) | undefined;
  /** Resolves once this tab holds its lock: until then its batches would look orphaned. */
  const ownerLock: Promise<void> =
    locks === undefined
      ? Promise.resolve()
      : new Promise((held) => {
          void locks.request(
            lockPrefix + owner,
            () =>
              new Promise<void>((release) => {
                releaseOwnerLock = release;
                held();
              }),
          );
        });
  let database: Promise<IDBDatabase> | undefined;
  const db = () => {
    database ??= openDatabase(name);
    return database;
  };

  /** Owners of open outboxes (tabs) of this database, this one included. */
  const liveOwners = async (): Promise<Set<string> | undefined> => {
    if (locks === undefined) return undefined;
    const { held = [] } = await locks.query();
    return new Set(
      held.flatMap((lock) =>
        lock.name?.startsWith(lockPrefix) ? [lock.name.slice(lockPrefix.length)] : [],
      ),
    );
  };
  const ours = (meta: BatchMeta, live: Set<string> | undefined) =>
    meta.owner === owner || (live !== undefined && !live.has(meta.owner));

  const listeners = new Set<() => void>();
  /** Owners whose lock this outbox waits for: granted when their tab closes. */
  const watched = new Set<string>();
  /** Claims again when the tab owning stored batches closes (its lock is granted to us). */
  const watch = (other: string) => {
    if (locks === undefined || watched.has(other)) return;
    watched.add(other);
    void locks.request(lockPrefix + other, async () => {
      watched.delete(other);
      for (const listener of listeners) listener();
    });
  };
  /** Tabs tell each other that they store batches, so that the others watch their locks. */
  const channel =
    typeof BroadcastChannel === "function"
      ? new BroadcastChannel(`${lockPrefix}owners`)
      : undefined;
  if (channel !== undefined) {
    channel.onmessage = (message: MessageEvent) => {
      if (typeof message.data === "string" && message.data !== owner) watch(message.data);
    };
  }
  let announced = false;

  return createOutbox({
    async put({ batchId, request }: StoredBatch): Promise<OutboxPutResult> {
      if (request.length > maxBytes) {
        throw new Error(`batch ${batchId} (${request.length} bytes) exceeds the outbox's maxBytes`);
      }
      await ownerLock;
      const live = await liveOwners();
      const tx = (await db()).transaction([REQUESTS, META], "readwrite");
      const metas = (await requestResult(tx.objectStore(META).getAll())) as BatchMeta[];
      let total = request.length;
      for (const meta of metas) total += meta.bytes;
      // Oldest first: batch ids are UUIDv7 and the store is ordered by key.
      const evictedIds: string[] = [];
      for (const meta of metas) {
        if (total <= maxBytes) break;
        if (!ours(meta, live)) continue;
        evictedIds.push(meta.batchId);
        total -= meta.bytes;
      }
      const evicted: StoredBatch[] = [];
      for (const id of evictedIds) {
        const stored = (await requestResult(tx.objectStore(REQUESTS).get(id))) as
          | StoredBatch
          | undefined;
        if (stored !== undefined) evicted.push(stored);
        tx.objectStore(REQUESTS).delete(id);
        tx.objectStore(META).delete(id);
      }
      if (total > maxBytes) {
        tx.abort();
        throw new Error(`batch ${batchId} does not fit: other tabs' batches fill the outbox`);
      }
      tx.objectStore(REQUESTS).put({ batchId, request });
      tx.objectStore(META).put({ batchId, owner, bytes: request.length } satisfies BatchMeta);
      await transactionDone(tx);
      if (!announced) {
        announced = true;
        channel?.postMessage(owner);
      }
      return { evicted };
    },

    async read(batchId: string): Promise<StoredBatch | undefined> {
      const tx = (await db()).transaction(REQUESTS, "readonly");
      const stored = (await requestResult(tx.objectStore(REQUESTS).get(batchId))) as
        | Partial<StoredBatch>
        | undefined;
      return stored?.request instanceof Uint8Array
        ? { batchId, request: stored.request }
        : undefined;
    },

    async remove(batchId: string): Promise<void> {
      const tx = (await db()).transaction([REQUESTS, META], "readwrite");
      tx.objectStore(REQUESTS).delete(batchId);
      tx.objectStore(META).delete(batchId);
      await transactionDone(tx);
    },

    async claim(): Promise<OutboxClaim> {
      await ownerLock;
      const run = async (): Promise<OutboxClaim> => {
        const live = await liveOwners();
        const tx = (await db()).transaction([REQUESTS, META], "readwrite");
        const metas = (await requestResult(tx.objectStore(META).getAll())) as BatchMeta[];
        const batches: StoredBatch[] = [];
        let corrupt = 0;
        for (const meta of metas) {
          if (!ours(meta, live)) {
            watch(meta.owner);
            continue;
          }
          const stored = (await requestResult(tx.objectStore(REQUESTS).get(meta.batchId))) as
            | Partial<StoredBatch>
            | undefined;
          if (stored?.request instanceof Uint8Array && stored.batchId === meta.batchId) {
            if (meta.owner !== owner) {
              meta.owner = owner;
              tx.objectStore(META).put(meta);
            }
            batches.push({ batchId: meta.batchId, request: stored.request });
          } else {
            corrupt++;
            tx.objectStore(REQUESTS).delete(meta.batchId);
            tx.objectStore(META).delete(meta.batchId);
          }
        }
        await transactionDone(tx);
        return { batches, corrupt };
      };
      return locks === undefined ? run() : locks.request(`${lockPrefix}replay`, run);
    },

    onAvailable(listener: () => void): () => void {
      listeners.add(listener);
      const online = typeof globalThis.addEventListener === "function";
      if (online) globalThis.addEventListener("online", listener);
      return () => {
        listeners.delete(listener);
        if (online) globalThis.removeEventListener("online", listener);
      };
    },

    async close(): Promise<void> {
      releaseOwnerLock?.();
      channel?.close();
      if (database !== undefined) (await database).close();
    },
  });
}

/**
 * Opens the database, at whatever version it has, with both stores. One without them (made by an
 * `indexedDB.open(name)` elsewhere on the origin, which creates an empty version 1) is upgraded
 * to the next version, so the outbox never runs on a database it cannot write to.
 */
async function openDatabase(name: string, version?: number): Promise<IDBDatabase> {
  const request = globalThis.indexedDB.open(name, version);
  request.onupgradeneeded = () => {
    for (const store of [REQUESTS, META]) {
      if (!request.result.objectStoreNames.contains(store)) {
        request.result.createObjectStore(store, { keyPath: "batchId" });
      }
    }
  };
  const database = await requestResult(request);
  if (database.objectStoreNames.contains(REQUESTS) && database.objectStoreNames.contains(META)) {
    return database;
  }
  database.close();
  return openDatabase(name, database.version + 1);
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}
