import { formatNs, formatRatio } from "../format.js";
import { atMost, shown } from "../targets.js";
import { errorNotes, medianOf, type RowDefinition, ratio, show } from "./row-definition.js";

/** A tool call as an agent records it is two events: TOOL_CALL_START and TOOL_CALL_END. */
const EVENTS_PER_TOOL_CALL = 2;

export const hotPathRow: RowDefinition = {
  id: "hot-path",
  title: "1. Hot path (on the caller's stack)",
  contenders: [
    { key: "chaukas", label: "Chaukas builders", script: "hot-path-chaukas", timeoutMs: 150_000 },
    { key: "otel", label: "OTel span start+end", script: "hot-path-otel", timeoutMs: 150_000 },
  ],
  evaluate(runs) {
    // Medians over runs of each run's median chunk and of each run's mean chunk.
    const chaukas = medianOf(runs, "chaukas", "nsPerEvent");
    const chaukasMean = medianOf(runs, "chaukas", "meanNsPerEvent");
    const otel = medianOf(runs, "otel", "nsPerEvent");
    const otelMean = medianOf(runs, "otel", "meanNsPerEvent");
    const perToolCall = chaukas === undefined ? undefined : chaukas * EVENTS_PER_TOOL_CALL;
    const perToolCallMean =
      chaukasMean === undefined ? undefined : chaukasMean * EVENTS_PER_TOOL_CALL;
    return {
      id: this.id,
      title: this.title,
      chaukas: `${show(chaukas, formatNs)}/event (mean ${show(chaukasMean, formatNs)}); ${show(perToolCall, formatNs)}/tool call (mean ${show(perToolCallMean, formatNs)})`,
      baselines: `OTel BatchSpanProcessor ${show(otel, formatNs)}/span (mean ${show(otelMean, formatNs)})`,
      checks: [
        // Issue 28's targets: a tool call (START + END) costs no more than one OTel span, and
        // one event stays at most 0.7× of it.
        atMost(
          "per tool call (start + end) ≤ 1.0× one OTel span",
          ratio(perToolCall, otel),
          1.0,
          formatRatio,
        ),
        atMost("per event ≤ 0.7× OTel", ratio(chaukas, otel), 0.7, formatRatio),
        shown("per event, means", `${show(ratio(chaukasMean, otelMean), formatRatio)} OTel`),
        shown(
          "per tool call, means",
          `${show(ratio(perToolCallMean, otelMean), formatRatio)} OTel`,
        ),
      ],
      notes: errorNotes(runs),
      data: {
        chaukasNsPerEvent: chaukas,
        chaukasMeanNsPerEvent: chaukasMean,
        chaukasNsPerToolCall: perToolCall,
        otelNsPerSpan: otel,
        otelMeanNsPerSpan: otelMean,
        ratioPerEventVsOtel: ratio(chaukas, otel),
        ratioPerEventVsOtelMeans: ratio(chaukasMean, otelMean),
        ratioPerToolCallVsOtelSpan: ratio(perToolCall, otel),
      },
    };
  },
};
