import type { Event } from "@chaukas/spec/common/v1";
import type { CallCounter, CallCounts } from "./call-counter.js";
import { appendEventsFile, readEventsFile, terminateLastLine } from "./events-file.js";

/** Read access to what the devserver received and stored, for tests and tooling. */
export interface DevServerStore {
  /** Stored events in the order they were first accepted. */
  events(): readonly Event[];
  /** The stored event with this id, if any. */
  get(eventId: string): Event | undefined;
  /** Number of distinct events stored. */
  readonly size: number;
  /** Events that reached the ingest handlers (valid or not, duplicates included). */
  readonly received: number;
  /** Received events whose `event_id` was already stored, so they were not stored again. */
  readonly duplicates: number;
  /** Answered calls per method and per outcome code. */
  readonly calls: CallCounts;
}

/** What `EventStore.add` did with each offered event. */
export interface AddResult {
  readonly stored: number;
  readonly duplicates: number;
}

/** The events of one devserver: in memory, optionally mirrored to a JSON-lines file. */
export class EventStore implements DevServerStore {
  readonly #byId = new Map<string, Event>();
  readonly #dataFile: string | undefined;
  readonly #callCounter: CallCounter;
  #received = 0;
  #duplicates = 0;

  constructor(callCounter: CallCounter, dataFile?: string) {
    this.#callCounter = callCounter;
    this.#dataFile = dataFile;
  }

  /** Reads the data file (if any) into memory; returns the line numbers it had to skip. */
  load(): number[] {
    if (this.#dataFile === undefined) return [];
    const { events, badLines } = readEventsFile(this.#dataFile);
    terminateLastLine(this.#dataFile);
    for (const event of events) {
      if (!this.#byId.has(event.eventId)) this.#byId.set(event.eventId, event);
    }
    return badLines;
  }

  /** Counts events that reached an ingest handler, before validation. */
  noteReceived(count: number): void {
    this.#received += count;
  }

  /**
   * Stores the events whose id is new (also new within `events`), writing them to the data
   * file first: if the write fails it throws and memory is left unchanged.
   */
  add(events: readonly Event[]): AddResult {
    const fresh: Event[] = [];
    const seen = new Set<string>();
    for (const event of events) {
      if (this.#byId.has(event.eventId) || seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      fresh.push(event);
    }
    if (this.#dataFile !== undefined) appendEventsFile(this.#dataFile, fresh);
    for (const event of fresh) this.#byId.set(event.eventId, event);
    const duplicates = events.length - fresh.length;
    this.#duplicates += duplicates;
    return { stored: fresh.length, duplicates };
  }

  events(): readonly Event[] {
    return [...this.#byId.values()];
  }

  /** The live collection, for queries that filter without copying first. */
  values(): IterableIterator<Event> {
    return this.#byId.values();
  }

  get(eventId: string): Event | undefined {
    return this.#byId.get(eventId);
  }

  get size(): number {
    return this.#byId.size;
  }

  get received(): number {
    return this.#received;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  get calls(): CallCounts {
    return this.#callCounter.snapshot();
  }
}
