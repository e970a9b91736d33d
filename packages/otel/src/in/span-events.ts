/**
 * A finished GenAI span as Chaukas events, through the client's builders, on the span's own id
 * and at its own times: START and END together, since a span's attributes are complete only when
 * it ends.
 */

import type { ChaukasScope, ErrorInit, SpanEndOptions } from "@chaukas/client";
import type { HrTime } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { GenAiKind } from "./genai-kind.js";
import {
  agentStart,
  type ContentCapture,
  dataAccess,
  modelResult,
  modelStart,
  spanFailure,
  toolResult,
  toolStart,
} from "./span-content.js";

/** Unix milliseconds (fractional: OpenTelemetry keeps nanoseconds) of an `HrTime`. */
export const msOf = ([seconds, nanos]: HrTime): number => seconds * 1000 + nanos / 1e6;

/** A span handle's END: `end(result)`, or `fail(error)` with an ERROR under the span first. */
interface Ending<Result> {
  end(result: Result): void;
  fail(error: unknown, options: SpanEndOptions): void;
  error(error: unknown, options: { time: number }): string;
}

function finish<Result extends SpanEndOptions>(
  handle: Ending<Result>,
  failure: ErrorInit | undefined,
  result: Result & { readonly endTime: number },
): void {
  const { endTime } = result;
  if (failure === undefined) {
    handle.end(result);
    return;
  }
  try {
    handle.error(failure, { time: endTime });
  } finally {
    handle.fail(failure, { endTime, ...(result.metadata ? { metadata: result.metadata } : {}) });
  }
}

/**
 * Emits the events of `span` (of GenAI kind `kind`) under `scope`. A `call` span has no events
 * of its own; when it failed, its ERROR is recorded on its own span id.
 */
export function emitSpanEvents(
  scope: ChaukasScope,
  span: ReadableSpan,
  kind: GenAiKind,
  capture: ContentCapture,
): void {
  const { attributes, name } = span;
  const spanId = span.spanContext().spanId;
  const startTime = msOf(span.startTime);
  const endTime = msOf(span.endTime);
  const failure = spanFailure(span, capture);
  const start = { spanId, startTime, metadata: { otel_span_name: name } };
  switch (kind) {
    case "model": {
      const handle = scope.modelInvocationStart({ ...modelStart(attributes, capture), ...start });
      finish(handle, failure, { ...modelResult(attributes, capture), endTime });
      return;
    }
    case "tool": {
      const handle = scope.toolCallStart({ ...toolStart(name, attributes, capture), ...start });
      finish(handle, failure, { ...toolResult(attributes, capture), endTime });
      return;
    }
    case "agent": {
      const handle = scope.agentStart({ ...agentStart(name, attributes), ...start });
      finish(handle, failure, { endTime });
      return;
    }
    case "retrieval":
      scope.dataAccess({
        ...dataAccess(name, attributes),
        spanId,
        time: startTime,
        metadata: start.metadata,
      });
      if (failure) scope.error(failure, { time: endTime });
      return;
    case "call":
      if (failure) scope.error(failure, { time: endTime, spanId, metadata: start.metadata });
  }
}
