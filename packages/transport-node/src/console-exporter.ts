import type { Registry } from "@bufbuild/protobuf";
import type { EventExporter } from "@chaukas/client";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { eventToJson } from "./event-json.js";

/** Options of `createConsoleExporter`. */
export interface ConsoleExporterOptions {
  /** Indent each event over several lines instead of one line per event. Default: `false`. */
  readonly pretty?: boolean;
  /** Where the lines go. Default: `process.stdout`. */
  readonly stream?: NodeJS.WritableStream;
  /** Resolves `google.protobuf.Any` extensions when printing them. Default: none. */
  readonly registry?: Registry;
}

/** Prints events as protobuf JSON (proto field names), for debugging without a backend. */
export function createConsoleExporter(options: ConsoleExporterOptions = {}): EventExporter {
  const stream = options.stream ?? process.stdout;
  const indent = options.pretty === true ? 2 : undefined;
  return {
    async export(batch: EventBatch) {
      const text = batch.events
        .map((event) => `${JSON.stringify(eventToJson(event, options.registry), null, indent)}\n`)
        .join("");
      stream.write(text);
    },
  };
}
