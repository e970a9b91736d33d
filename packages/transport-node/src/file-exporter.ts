import { type FileHandle, open } from "node:fs/promises";
import type { Registry } from "@bufbuild/protobuf";
import type { EventExporter } from "@chaukas/client";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { eventToJson } from "./event-json.js";

/** Options of `createFileExporter`. */
export interface FileExporterOptions {
  /** The JSON-lines file events are appended to; created if missing (its directory is not). Required. */
  readonly path: string;
  /** Resolves `google.protobuf.Any` extensions when writing them as JSON. Default: none (events with extensions then fail). */
  readonly registry?: Registry;
}

// Failures a retry may cure; anything else (a missing directory, no permission) will not.
const TRANSIENT_FS_ERRORS = new Set(["EAGAIN", "EBUSY", "EMFILE", "ENFILE", "ENOSPC", "EINTR"]);

/**
 * Writes events as JSON lines (one event per line, protobuf JSON with proto field names) for
 * when there is no backend. Each batch is one write on a file opened in append mode, so lines
 * of concurrent batches — or of other processes appending to the same file — never interleave.
 */
export function createFileExporter(options: FileExporterOptions): EventExporter {
  let handle: Promise<FileHandle> | undefined;
  // Writes from this process go one after another: a short write is finished before the next.
  let tail: Promise<void> = Promise.resolve();

  const fileHandle = () => {
    handle ??= open(options.path, "a");
    return handle;
  };

  return {
    export(batch: EventBatch) {
      const text = batch.events
        .map((event) => `${JSON.stringify(eventToJson(event, options.registry))}\n`)
        .join("");
      const written = tail.then(async () => {
        const file = await fileHandle();
        const bytes = Buffer.from(text, "utf8");
        let offset = 0;
        while (offset < bytes.length) {
          const { bytesWritten } = await file.write(bytes, offset);
          offset += bytesWritten;
        }
      });
      tail = written.catch(() => {});
      return written.catch((error: unknown) => {
        handle = undefined;
        throw toConnectError(error, options.path);
      });
    },
    async shutdown() {
      await tail;
      const open = handle;
      handle = undefined;
      if (open !== undefined) {
        await (await open).close();
      }
    },
  };
}

function toConnectError(error: unknown, path: string): ConnectError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return new ConnectError(
    `cannot append to ${path}: ${code || String(error)}`,
    TRANSIENT_FS_ERRORS.has(code) ? Code.Unavailable : Code.FailedPrecondition,
    undefined,
    undefined,
    error,
  );
}
