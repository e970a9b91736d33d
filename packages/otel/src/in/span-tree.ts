/**
 * The spans the processor has seen start, linked to their parents, so that a span ending can find
 * its nearest GenAI ancestors through spans that are not GenAI (HTTP, database). Spans end
 * children first: when a child ends, its ancestors are still running, so they are read live
 * (their name and attributes as they are now) rather than as they were when they started.
 */

import type { SessionHandle, SpanContext } from "@chaukas/client";
import type { Attributes } from "@opentelemetry/api";
import type { ReadableSpan, Span } from "@opentelemetry/sdk-trace-base";
import { type GenAiKind, genAiKindOf } from "./genai-kind.js";

/**
 * Where the events of a tree of GenAI spans go: its session, trace and top parent, decided once
 * for the tree's root GenAI span (see `ChaukasSpanProcessor` for the order of the sources).
 */
export interface SessionAnchor {
  readonly sessionId: string;
  readonly traceId: string;
  /** The parent of the root's events: the Chaukas scope's span, the session's, or none (""). */
  readonly parentSpanId: string;
  readonly agentId?: string | undefined;
  readonly agentName?: string | undefined;
  /** The session the processor started for the root, which it ends when the root ends. */
  readonly session?: SessionHandle | undefined;
}

/** A span seen starting. Holds its parent, so the chain outlives the parents' own ends. */
export interface TrackedSpan {
  /** The live span: its name and attributes are read when a descendant ends. */
  readonly span: Span | ReadableSpan;
  readonly parent: TrackedSpan | undefined;
  /** The Chaukas span active when it started (`chaukas.current()`), if any. */
  readonly chaukasScope: SpanContext | undefined;
  /** Set on a root GenAI span once its session is decided. */
  anchor: SessionAnchor | undefined;
}

/** The GenAI kind of a tracked span, read from its attributes as they are now. */
export const kindOf = (tracked: { readonly span: { readonly attributes: Attributes } }) =>
  genAiKindOf(tracked.span.attributes);

/** Kinds that have events on a span of their own: their descendants nest under them. */
const NESTING_KINDS: ReadonlySet<GenAiKind> = new Set(["agent", "model", "tool", "retrieval"]);

/** Where a GenAI span's events go, from its chain of ancestors. */
export interface Placement {
  /** The topmost GenAI span of the chain (the span itself when it has no GenAI ancestor). */
  readonly root: TrackedSpan;
  /** The nearest ancestor with events of its own: the parent of the span's events. */
  readonly parent: TrackedSpan | undefined;
  /** The nearest agent ancestor: the span's events carry its agent. */
  readonly agent: TrackedSpan | undefined;
}

/** Walks up from `tracked` (a GenAI span) to place its events. */
export function placementOf(tracked: TrackedSpan): Placement {
  let root = tracked;
  let parent: TrackedSpan | undefined;
  let agent: TrackedSpan | undefined;
  for (let above = tracked.parent; above !== undefined; above = above.parent) {
    const kind = kindOf(above);
    if (kind === undefined) continue;
    root = above;
    if (parent === undefined && NESTING_KINDS.has(kind)) parent = above;
    if (agent === undefined && kind === "agent") agent = above;
  }
  return { root, parent, agent };
}

/** The spans started and not yet ended, by span id, oldest first; at most `limit`. */
export class OpenSpans {
  readonly #spans = new Map<string, TrackedSpan>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.#spans.size;
  }

  /** Tracks a started span; returns the oldest open span it evicted, if the limit was reached. */
  start(spanId: string, tracked: TrackedSpan): TrackedSpan | undefined {
    let evicted: TrackedSpan | undefined;
    if (this.#spans.size >= this.limit) {
      const [oldestId, oldest] = this.#spans.entries().next().value!;
      this.#spans.delete(oldestId);
      evicted = oldest;
    }
    this.#spans.set(spanId, tracked);
    return evicted;
  }

  get(spanId: string | undefined): TrackedSpan | undefined {
    return spanId === undefined ? undefined : this.#spans.get(spanId);
  }

  /** Stops tracking an ended span; returns what was tracked (undefined if it never was). */
  end(spanId: string): TrackedSpan | undefined {
    const tracked = this.#spans.get(spanId);
    this.#spans.delete(spanId);
    return tracked;
  }
}
