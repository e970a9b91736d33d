/**
 * A started span's handle: `end()`/`fail()` emit its END once, `run()` makes it active, and
 * every builder works under it. Also how a span starts (`startSpan`) and ends (`finishSpan`).
 */

import { EventStatus, Severity } from "@chaukas/spec/common/v1";
import { formatTraceparent } from "../propagation/trace-context.js";
import type { EventOptions, SpanStartOptions } from "./builder-types.js";
import { monotonicMs } from "./clock.js";
import type { Content } from "./content-messages.js";
import type { SpanContext } from "./context-manager.js";
import { POINT_BUILDERS } from "./point-builders.js";
import { BUILDER_NAMES, boundScopeMethods } from "./scope-methods.js";
import { emit, type ScopeRuntime } from "./scope-runtime.js";
import type { ChaukasScope, Endable, SpanScope } from "./scope-types.js";
import type { Ending, EndResult, SpanKind, SpanStart } from "./span-kinds.js";
import { epochMsOf } from "./time-input.js";

/** When a span started: the caller's `startTime` (checked), else now. */
export interface StartTime {
  /** Unix milliseconds. */
  readonly ms: number;
  /** True when the caller gave it: the duration then comes from the wall clock. */
  readonly given: boolean;
}

/** The START time of `options`. */
export function startTimeOf(options: SpanStartOptions | undefined): StartTime {
  const time = options?.startTime;
  return time === undefined
    ? { ms: Date.now(), given: false }
    : { ms: epochMsOf(time, "startTime"), given: true };
}

/** A started span, as its handle's functions see it. */
interface Span {
  readonly runtime: ScopeRuntime;
  readonly context: SpanContext;
  /** `undefined` for a remote caller's span continued here: it has no START or END of ours. */
  readonly kind: SpanKind | undefined;
  readonly start: SpanStart;
  readonly startTime: StartTime;
  /** `monotonicMs()` at the start: the END's duration is measured from it (no times given). */
  readonly monoMs: number;
}

/** What every span handle has; `Endable<EndResult>` accepts what every kind's `end()` takes. */
export type SpanHandle = SpanScope & Endable<EndResult>;

/** Emits a span's START event and returns its handle (the builders add the kind's own ids). */
export function startSpan(
  runtime: ScopeRuntime,
  context: SpanContext,
  kind: SpanKind,
  start: Content,
  options: EventOptions | undefined,
  startTime: StartTime,
): SpanHandle {
  const handle = openSpan(runtime, context, kind, start.value as SpanStart, startTime);
  emit(runtime, {
    context,
    type: kind.startType,
    author: kind.startAuthor,
    content: start,
    options,
    status: EventStatus.STARTED,
    timeMs: startTime.ms,
  });
  return handle;
}

/**
 * A handle on a span whose START is not ours to emit (a remote caller's span continued here):
 * `end()` emits nothing, `fail(error)` an ERROR under it.
 */
export function remoteSpan(runtime: ScopeRuntime, context: SpanContext): SpanHandle {
  return openSpan(runtime, context, undefined, {}, { ms: Date.now(), given: false });
}

function openSpan(
  runtime: ScopeRuntime,
  context: SpanContext,
  kind: SpanKind | undefined,
  start: SpanStart,
  startTime: StartTime,
): SpanHandle {
  LiveSpanHandle.defineBuilders();
  const span: Span = { runtime, context, kind, start, startTime, monoMs: monotonicMs() };
  return new LiveSpanHandle(span);
}

/**
 * A span's handle. Its methods work detached (`promise.then(tool.end, tool.fail)`,
 * `const { toolCallStart } = session`): each is a getter that returns a closure over the span,
 * made on first use and kept, so `tool.end === tool.end`. Made lazily because most handles use
 * few of their 17 methods (a tool call: `end`). Building all of them per span was ~1.5 KB per
 * handle, as much as its two events (bench/README.md, History). `ended` is a plain field that
 * `finishSpan` sets.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below types the getters defineBuilders adds
class LiveSpanHandle implements SpanHandle {
  readonly context: SpanContext;
  readonly sessionId: string;
  readonly traceId: string;
  readonly spanId: string;
  ended = false;
  readonly #span: Span;
  #builders: ChaukasScope | undefined;
  #end: SpanHandle["end"] | undefined;
  #fail: SpanHandle["fail"] | undefined;
  #traceparent: SpanHandle["traceparent"] | undefined;
  #run: SpanHandle["run"] | undefined;

  constructor(span: Span) {
    const { context } = span;
    this.#span = span;
    this.context = context;
    this.sessionId = context.sessionId;
    this.traceId = context.traceId;
    this.spanId = context.spanId;
  }

  get end(): SpanHandle["end"] {
    this.#end ??= (result) => finishSpan(this.#span, this, result, undefined);
    return this.#end;
  }
  get fail(): SpanHandle["fail"] {
    this.#fail ??= (error, options) => finishSpan(this.#span, this, options, { error });
    return this.#fail;
  }
  get traceparent(): SpanHandle["traceparent"] {
    this.#traceparent ??= () => formatTraceparent(this.context);
    return this.#traceparent;
  }
  get run(): SpanHandle["run"] {
    this.#run ??= (fn) => this.#span.runtime.contextManager.with(this.context, fn);
    return this.#run;
  }

  static #buildersDefined = false;

  /**
   * Gives the class a getter per builder (`agentStart`, ... from `BUILDER_NAMES`), each reading
   * the handle's builders, all made on the first use of one. Done on the first span rather than
   * when the module loads, because the builders and the handles are defined in terms of each
   * other (a builder starts a span; a span's handle has the builders).
   */
  static defineBuilders(): void {
    if (LiveSpanHandle.#buildersDefined) return;
    LiveSpanHandle.#buildersDefined = true;
    for (const name of BUILDER_NAMES) {
      Object.defineProperty(LiveSpanHandle.prototype, name, {
        get(this: LiveSpanHandle) {
          this.#builders ??= boundScopeMethods(this.#span.runtime, this.context);
          return this.#builders[name];
        },
      });
    }
  }
}

// The builder getters that `defineBuilders` adds, as the type system sees them.
// biome-ignore lint/correctness/noUnusedVariables: it is merged into the class above
interface LiveSpanHandle extends ChaukasScope {}

/**
 * The first `end()`/`fail()` emits the END event; later ones do nothing. Marked ended only
 * after a successful emit: an invalid result throws and can be retried. Its time is the
 * caller's `endTime`, else now; its duration the difference of the span's times when the caller
 * gave either, else the monotonic clock's.
 */
function finishSpan(
  span: Span,
  handle: { ended: boolean },
  result: EndResult | undefined,
  failure: Ending["failure"],
): void {
  if (handle.ended) return;
  const { kind, startTime, context, runtime } = span;
  if (kind === undefined) {
    if (failure) POINT_BUILDERS.error(runtime, context, failure.error, result);
    handle.ended = true;
    return;
  }
  const endTime = result?.endTime;
  const nowMs = Date.now();
  const endMs = endTime === undefined ? nowMs : epochMsOf(endTime, "endTime");
  const wallClock = endTime !== undefined || startTime.given;
  const durationMs = Math.max(0, wallClock ? endMs - startTime.ms : monotonicMs() - span.monoMs);
  const { content, attachments } = kind.end({
    start: span.start,
    result,
    failure,
    endMs: wallClock ? endMs : startTime.ms + durationMs,
    durationMs,
  });
  emit(runtime, {
    context,
    type: kind.endType,
    author: kind.endAuthor,
    content,
    options: result,
    severity: failure ? Severity.ERROR : Severity.INFO,
    status: failure ? EventStatus.FAILED : EventStatus.COMPLETED,
    attachments,
    timeMs: endMs,
  });
  handle.ended = true;
}
