import { parseArgs } from "node:util";
import { runChild } from "./child-job.js";
import { median } from "./stats.js";

// How the delivery defaults were chosen: row 2's two clients into the counting sink under each
// setting given, run alternately in fresh processes, medians printed side by side. A setting is
// `name=value,...` of BENCH_BATCH_SIZE, BENCH_CALLS_IN_FLIGHT, BENCH_COMPRESSION,
// BENCH_COMPRESS_MIN_BYTES, BENCH_SINK_DELAY_MS (a round trip added by the sink) without the
// prefix, lower case, e.g.
//   pnpm --filter @chaukas/bench run sweep -- --runs 3 calls_in_flight=1 calls_in_flight=4
const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: { runs: { type: "string", default: "3" } },
  allowPositionals: true,
});
const runs = Number(values.runs);

const toEnv = (setting: string): Record<string, string> =>
  Object.fromEntries(
    setting
      .split(",")
      .filter((pair) => pair !== "")
      .map((pair) => {
        const [name, value] = pair.split("=");
        return [`BENCH_${name!.toUpperCase()}`, value ?? ""];
      }),
  );

const clients = ["throughput-chaukas", "throughput-grpc-js"] as const;
const settings = positionals.length === 0 ? [""] : positionals;
const figures: Record<string, { rate: number[]; cpu: number[] }> = {};
for (let run = 0; run < runs; run++) {
  for (const setting of settings) {
    for (const client of clients) {
      const outcome = await runChild(client, {
        timeoutMs: 120_000,
        env: { BENCH_THROUGHPUT_BACKEND: "sink", ...toEnv(setting) },
      });
      const name = `${setting || "defaults"} ${client}`;
      figures[name] ??= { rate: [], cpu: [] };
      const slot = figures[name];
      if (outcome.ok) {
        slot.rate.push(outcome.result.eventsPerSecond as number);
        slot.cpu.push(outcome.result.cpuMicrosPerEvent as number);
      } else {
        process.stderr.write(`${setting} ${client}: ${outcome.error}\n`);
      }
    }
  }
}
for (const [name, { rate, cpu }] of Object.entries(figures)) {
  process.stdout.write(
    `${name.padEnd(70)} ${(median(rate) / 1000).toFixed(1).padStart(6)}k ev/s  ${median(cpu).toFixed(1).padStart(6)} µs CPU/event  (runs: ${rate.map((r) => (r / 1000).toFixed(1)).join(", ")})\n`,
  );
}
