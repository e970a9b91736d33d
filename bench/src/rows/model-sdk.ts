import { formatNs, formatRatio } from "../format.js";
import { atMost, shown } from "../targets.js";
import { errorNotes, medianOf, type RowDefinition, ratio, show } from "./row-definition.js";

/** A wrapped call may take this much longer than the same call unwrapped ("no measurable latency"). */
const LATENCY_RATIO_LIMIT = 1.05;

/**
 * Rows 6 and 6b (issue 26): calls of a provider SDK against a local fake of its API, by a wrapped and an
 * unwrapped client taking turns in one process (so both meet the same load), and the median of
 * the per-pair ratios.
 */
function modelSdkRow(id: string, title: string, sdk: string, wrapper: string): RowDefinition {
  return {
    id,
    title,
    contenders: [
      {
        key: "pairs",
        label: `${wrapper} and unwrapped, in turn`,
        script: "model-sdk-call",
        env: { SDK: sdk },
        timeoutMs: 120_000,
      },
    ],
    evaluate(runs) {
      const field = (name: string) => medianOf(runs, "pairs", name);
      const call = field("wrappedNsPerCall");
      const callBase = field("bareNsPerCall");
      const streamed = field("wrappedNsPerStreamedCall");
      const streamedBase = field("bareNsPerStreamedCall");
      const limit = `≤ ${formatRatio(LATENCY_RATIO_LIMIT)} unwrapped (median of pair ratios)`;
      return {
        id: this.id,
        title: this.title,
        chaukas: `${show(call, formatNs)}/call; ${show(streamed, formatNs)}/streamed call`,
        baselines: `unwrapped: ${show(callBase, formatNs)}/call; ${show(streamedBase, formatNs)}/streamed call`,
        checks: [
          atMost(`call ${limit}`, field("pairRatioCall"), LATENCY_RATIO_LIMIT, formatRatio),
          atMost(
            `streamed call ${limit}`,
            field("pairRatioStreamedCall"),
            LATENCY_RATIO_LIMIT,
            formatRatio,
          ),
          shown(
            "ratio of the medians (call; streamed call)",
            `${show(ratio(call, callBase), formatRatio)}; ${show(ratio(streamed, streamedBase), formatRatio)}`,
          ),
          shown(
            "process CPU during the calls, wrapped/unwrapped (call; streamed call)",
            `${show(field("cpuRatioCall"), formatRatio)}; ${show(field("cpuRatioStreamedCall"), formatRatio)}`,
          ),
        ],
        notes: errorNotes(runs),
        data: {
          wrappedNsPerCall: call,
          bareNsPerCall: callBase,
          wrappedNsPerStreamedCall: streamed,
          bareNsPerStreamedCall: streamedBase,
          pairRatioCall: field("pairRatioCall"),
          pairRatioStreamedCall: field("pairRatioStreamedCall"),
          cpuRatioCall: field("cpuRatioCall"),
          cpuRatioStreamedCall: field("cpuRatioStreamedCall"),
        },
      };
    },
  };
}

export const openaiRow = modelSdkRow(
  "model-sdk",
  "6. openai SDK call, wrapped vs not (local fake API)",
  "openai",
  "wrapOpenAI",
);

export const anthropicRow = modelSdkRow(
  "model-sdk-anthropic",
  "6b. Anthropic SDK call, wrapped vs not (local fake API)",
  "anthropic",
  "wrapAnthropic",
);
