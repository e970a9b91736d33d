import { formatKb, formatRatio } from "../format.js";
import { atMost } from "../targets.js";
import { errorNotes, type RowDefinition, ratio, show } from "./row-definition.js";

export const bundleRow: RowDefinition = {
  id: "bundle",
  title: "3. Browser bundle (esbuild, minified, ESM, gzip -9)",
  contenders: [{ key: "bundles", label: "esbuild", script: "bundle-size", maxRuns: 1 }],
  evaluate(runs) {
    const r = runs.bundles?.results[0] as
      | { gzipBytes: Record<string, number | null>; notes: string[]; [k: string]: unknown }
      | undefined;
    const gz = (name: string) => r?.gzipBytes[name] ?? undefined;
    return {
      id: this.id,
      title: this.title,
      chaukas: show(gz("chaukas"), formatKb),
      baselines: `bare connect-web ${show(gz("bare"), formatKb)}; OTel web ${show(gz("otel"), formatKb)}; Sentry ${show(gz("sentry"), formatKb)}`,
      checks: [atMost("≤ 1.15× bare", ratio(gz("chaukas"), gz("bare")), 1.15, formatRatio)],
      notes: [...errorNotes(runs), ...(r?.notes ?? [])],
      data: { gzipBytes: r?.gzipBytes },
    };
  },
};
