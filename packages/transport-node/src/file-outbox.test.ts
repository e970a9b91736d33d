import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChaukasValidationError, type StoredBatch } from "@chaukas/client";
import { afterEach, describe, expect, it } from "vitest";
import { createFileOutbox } from "./file-outbox.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0))
    rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "chaukas-outbox-unit-"));
  directories.push(directory);
  return directory;
}

/** A pid that ran and exited: its directory is an orphan. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout as unknown as number;
}

const batch = (n: number, bytes = 100): StoredBatch => ({
  batchId: `0190000${n}-0000-7000-8000-000000000000`,
  request: new Uint8Array(bytes).fill(n),
});

const records = (directory: string) =>
  readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".batch"))
    .sort();

describe("createFileOutbox", () => {
  it("stores batches as files, removes them on acknowledgement, and rejects bad options by name", async () => {
    const directory = tempDirectory();
    const outbox = createFileOutbox({ directory });
    expect(await outbox.put(batch(1))).toEqual({ evicted: [] });
    await outbox.put(batch(2));
    expect(records(directory)).toHaveLength(2);
    await outbox.remove(batch(1).batchId);
    await outbox.remove(batch(1).batchId); // a second removal is harmless
    expect(records(directory)).toEqual([expect.stringContaining(batch(2).batchId)]);
    expect(() => createFileOutbox({ directory: "" })).toThrow(ChaukasValidationError);
    expect(() => createFileOutbox({ directory, maxBytes: 0 })).toThrow(/maxBytes/);
  });

  it("takes over what a dead process left, skipping and counting torn and corrupt records", async () => {
    const directory = tempDirectory();
    const first = createFileOutbox({ directory });
    for (const n of [3, 1, 2]) await first.put(batch(n));
    // The writer dies: its directory is renamed as a dead pid's, with a torn write beside.
    const [own] = readdirSync(directory);
    const orphan = join(directory, `p${deadPid()}-abcdef`);
    rmSync(orphan, { recursive: true, force: true });
    spawnSync("mv", [join(directory, own!), orphan]);
    writeFileSync(join(orphan, `${batch(4).batchId}.batch.partial`), "half a rec");
    const good = readFileSync(join(orphan, `${batch(2).batchId}.batch`));
    writeFileSync(join(orphan, `${batch(5).batchId}.batch`), good.subarray(0, good.length - 7));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 0xff;
    writeFileSync(join(orphan, `${batch(6).batchId}.batch`), flipped);

    const second = createFileOutbox({ directory });
    const claim = await second.claim();
    expect(claim.corrupt).toBe(3);
    expect(claim.batches).toEqual([batch(1), batch(2), batch(3)]);
    // The records now belong to the second outbox: removing them works, and nothing is left.
    for (const n of [1, 2, 3]) await second.remove(batch(n).batchId);
    expect(records(directory)).toEqual([]);
  });

  it("never takes over the directory of a live outbox, and two claimants split an orphan", async () => {
    const directory = tempDirectory();
    const live = createFileOutbox({ directory });
    await live.put(batch(1));
    const orphan = join(directory, `p${deadPid()}-012345`);
    mkdirSync(orphan);
    const writer = createFileOutbox({ directory: join(tempDirectory()) });
    await writer.put(batch(2));
    const [writerDir] = readdirSync(directories.at(-1)!);
    for (const name of readdirSync(join(directories.at(-1)!, writerDir!))) {
      writeFileSync(join(orphan, name), readFileSync(join(directories.at(-1)!, writerDir!, name)));
    }

    const a = createFileOutbox({ directory });
    const b = createFileOutbox({ directory });
    const [claimA, claimB] = await Promise.all([a.claim(), b.claim()]);
    expect([...claimA.batches, ...claimB.batches]).toEqual([batch(2)]);
    expect((await live.claim()).batches).toEqual([batch(1)]);
  });

  it("stays within maxBytes by removing the oldest batches, and returns them", async () => {
    const directory = tempDirectory();
    // Each record is 100 bytes of payload and a 12-byte header.
    const outbox = createFileOutbox({ directory, maxBytes: 3 * 112 });
    for (const n of [1, 2, 3]) expect((await outbox.put(batch(n))).evicted).toEqual([]);
    expect((await outbox.put(batch(4))).evicted).toEqual([batch(1)]);
    expect((await outbox.put(batch(5, 200))).evicted).toEqual([batch(2), batch(3)]);
    expect(records(directory)).toHaveLength(2);
    await expect(outbox.put(batch(6, 400))).rejects.toThrow(/exceeds the outbox's maxBytes/);
  });
});
