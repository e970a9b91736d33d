/**
 * Spans that say what they are only when they end, and the ended spans whose events wait for
 * them. Mastra's OpenTelemetry bridge (`@mastra/otel-bridge`) starts each span with a name alone
 * ("agent run: 'weather-agent'") and sets its `gen_ai.*` attributes as Mastra's own span ends.
 * While such a span runs, nothing says whether it is an agent, a model call or a tool, so a
 * descendant that ends before it cannot be placed (its parent, agent and session root are not
 * known yet): its events wait until the outermost such ancestor has ended, and are then emitted
 * children first, as they would have been.
 */

import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { GenAiKind } from "./genai-kind.js";
import type { TrackedSpan } from "./span-tree.js";

/** Instrumentation scopes (tracer names) whose spans get their attributes only at their end. */
export const SCOPES_DESCRIBED_AT_END: ReadonlySet<string> = new Set(["@mastra/otel-bridge"]);

/** An ended GenAI span whose events wait for an ancestor. */
export interface HeldSpan {
  readonly tracked: TrackedSpan;
  readonly span: ReadableSpan;
  readonly kind: GenAiKind;
}

/**
 * The outermost ancestor of `tracked` that is still running and gets its attributes only at its
 * end, if any: the span whose end the events of `tracked` wait for.
 */
export function undescribedAncestorOf(tracked: TrackedSpan): TrackedSpan | undefined {
  let outermost: TrackedSpan | undefined;
  for (let above = tracked.parent; above !== undefined; above = above.parent) {
    const { span } = above;
    if (!span.ended && SCOPES_DESCRIBED_AT_END.has(span.instrumentationScope.name)) {
      outermost = above;
    }
  }
  return outermost;
}

/**
 * Held spans by the id of the span they wait for, in the order they ended; at most `limit` in
 * all. Keyed by id rather than kept on the tracked span, so that an ancestor evicted from the
 * open spans still releases them when it ends.
 */
export class HeldSpans {
  readonly #byAncestor = new Map<string, HeldSpan[]>();
  #size = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.#size;
  }

  /** Holds `held` until `ancestorId` ends; false (not held) when `limit` spans are held. */
  hold(ancestorId: string, held: HeldSpan): boolean {
    if (this.#size >= this.limit) return false;
    const list = this.#byAncestor.get(ancestorId);
    if (list === undefined) {
      this.#byAncestor.set(ancestorId, [held]);
    } else {
      list.push(held);
    }
    this.#size++;
    return true;
  }

  /** The spans that waited for `ancestorId`, in the order they ended; they are no longer held. */
  release(ancestorId: string): HeldSpan[] {
    const list = this.#byAncestor.get(ancestorId) ?? [];
    this.#byAncestor.delete(ancestorId);
    this.#size -= list.length;
    return list;
  }

  /** Every held span, in the order they ended for each ancestor; none is held afterwards. */
  releaseAll(): HeldSpan[] {
    const all = [...this.#byAncestor.values()].flat();
    this.#byAncestor.clear();
    this.#size = 0;
    return all;
  }
}
