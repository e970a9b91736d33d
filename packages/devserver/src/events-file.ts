import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { fromBinary, fromJson, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";

/**
 * An event whose JSON form needs a type registry (a `google.protobuf.Any` in `extensions`)
 * is written as `{"binary_event": "<base64 of the protobuf encoding>"}` instead, so nothing
 * accepted is lost for want of a registry.
 */
const BINARY_LINE_KEY = "binary_event";

/** One event as one protobuf-JSON line (proto field names), newline included. */
export function eventToJsonLine(event: Event): string {
  let json: JsonValue;
  try {
    json = toJson(EventSchema, event, { useProtoFieldName: true });
  } catch {
    json = { [BINARY_LINE_KEY]: Buffer.from(toBinary(EventSchema, event)).toString("base64") };
  }
  return `${JSON.stringify(json)}\n`;
}

/** Parses a line written by `eventToJsonLine`. Throws on a line that is not one. */
export function eventFromJsonLine(line: string): Event {
  const json = JSON.parse(line) as JsonValue;
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const binary = json[BINARY_LINE_KEY];
    if (typeof binary === "string") {
      return fromBinary(EventSchema, Buffer.from(binary, "base64"));
    }
  }
  return fromJson(EventSchema, json);
}

/** What `readEventsFile` found: the events, and lines it could not parse (1-based numbers). */
export interface EventsFileContents {
  readonly events: Event[];
  readonly badLines: number[];
}

/**
 * Makes sure the next append starts on a fresh line: after a torn write the file ends
 * mid-line, and appending there would corrupt the first new event too.
 */
export function terminateLastLine(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, "utf8");
  if (text !== "" && !text.endsWith("\n")) appendFileSync(path, "\n");
}

/**
 * Reads a JSON-lines events file; a missing file is empty. A bad line (for instance the
 * torn last line of a killed process) is skipped and reported, not fatal.
 */
export function readEventsFile(path: string): EventsFileContents {
  if (!existsSync(path)) return { events: [], badLines: [] };
  const events: Event[] = [];
  const badLines: number[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      events.push(eventFromJsonLine(line));
    } catch {
      badLines.push(index + 1);
    }
  }
  return { events, badLines };
}

/**
 * Appends events in one synchronous write, so a call is acknowledged only after its events
 * reached the file, and concurrent calls never interleave their lines.
 */
export function appendEventsFile(path: string, events: readonly Event[]): void {
  if (events.length === 0) return;
  appendFileSync(path, events.map(eventToJsonLine).join(""));
}
