import type { DeliverySettings } from "../benchmarks/throughput-config.js";
import { formatRate, formatRatio } from "../format.js";
import { atLeast, atMost, holds, shown, type TargetCheck } from "../targets.js";
import {
  type Contender,
  errorNotes,
  medianOf,
  type RowDefinition,
  type RowRuns,
  ratio,
  show,
} from "./row-definition.js";

/** The SDK and the hand-written grpc-js client, both sending to `backend`. */
function clientContenders(backend: "sink" | "devserver"): Contender[] {
  const env = { BENCH_THROUGHPUT_BACKEND: backend };
  return [
    { key: "chaukas", label: `Chaukas client → ${backend}`, script: "throughput-chaukas", env },
    {
      key: "grpcJs",
      label: `hand-written grpc-js → ${backend}`,
      script: "throughput-grpc-js",
      env,
    },
  ];
}

/** Every run of every client: did the backend receive exactly what was emitted? */
function receivedEqualsEmitted(runs: RowRuns): TargetCheck {
  const all = ["chaukas", "grpcJs", "connectEs"].flatMap((key) =>
    (runs[key]?.results ?? []).map((r) => ({ key, received: r.received, emitted: r.emitted })),
  );
  const wrong = all.filter((r) => r.received !== r.emitted);
  return holds(
    "received = emitted",
    all.length === 0 ? undefined : wrong.length === 0,
    wrong.length === 0
      ? `every run (${all.length}): ${[...new Set(all.map((r) => `${r.key} ${r.emitted}`))].join(", ")} events`
      : wrong.map((r) => `${r.key}: ${r.received} of ${r.emitted}`).join("; "),
  );
}

const bytes = (n: number | undefined) => (n === undefined ? "missing" : `${n.toFixed(1)} B`);
const percent = (n: number | undefined) =>
  n === undefined ? "missing" : `${(n * 100).toFixed(0)}%`;
const micros = (n: number) => `${n.toFixed(1)} µs`;

/** The clients whose requests row 2 compares, by key, with their names in the check's text. */
const CLIENT_NAMES: Readonly<Record<string, string>> = {
  chaukas: "SDK",
  grpcJs: "grpc-js",
  connectEs: "bare connect-es",
};

/**
 * Like with like: every client's encoded requests (before compression) carry the same bytes per
 * event, and the same share of its calls is compressed. Timestamps' varints vary by a byte with
 * the clock, so per-event sizes are compared within 1 byte of the SDK's. Undecided until both the
 * SDK and grpc-js ran; a client that did not run is left out.
 */
function samePayload(runs: RowRuns): TargetCheck {
  const clients = Object.keys(CLIENT_NAMES)
    .filter((key) => (runs[key]?.results.length ?? 0) > 0)
    .map((key) => ({
      name: CLIENT_NAMES[key]!,
      encoded: medianOf(runs, key, "messageBytesPerEvent"),
      gzip: medianOf(runs, key, "compressedCallShare"),
      wire: medianOf(runs, key, "wireBytesPerEvent"),
    }));
  const sdk = clients.find(({ name }) => name === CLIENT_NAMES.chaukas);
  const compared = runs.chaukas?.results.length && runs.grpcJs?.results.length;
  const equal =
    !compared || sdk?.encoded === undefined
      ? undefined
      : clients.every(
          ({ encoded, gzip }) =>
            encoded !== undefined && Math.abs(encoded - sdk.encoded!) <= 1 && gzip === sdk.gzip,
        );
  const list = (show: (client: (typeof clients)[number]) => string) =>
    clients.map((client) => `${show(client)} (${client.name})`).join(", ");
  return holds(
    "same encoded size and compression",
    equal,
    `${list(({ encoded }) => bytes(encoded))}/event encoded; gzip on ${list(({ gzip }) => percent(gzip))} of calls; on the wire ${list(({ wire }) => bytes(wire))}/event`,
  );
}

function deliveryNote(runs: RowRuns): string[] {
  const delivery = runs.chaukas?.results[0]?.delivery as DeliverySettings | undefined;
  return delivery === undefined
    ? []
    : [
        `every client: batches of ${delivery.batchSize}, ${delivery.callsInFlight} call(s) in flight, compression ${delivery.compression} from ${delivery.compressMinBytes} B (the SDK's defaults)`,
      ];
}

export const throughputSinkRow: RowDefinition = {
  id: "throughput",
  title: "2. Throughput, gRPC/HTTP2 loopback into a counting sink",
  contenders: [
    ...clientContenders("sink"),
    {
      key: "connectEs",
      label: "bare connect-es → sink",
      script: "throughput-connect-es",
      env: { BENCH_THROUGHPUT_BACKEND: "sink" },
    },
    { key: "encodeOnly", label: "toBinary only", script: "throughput-encode-only" },
  ],
  evaluate(runs) {
    const chaukas = medianOf(runs, "chaukas", "eventsPerSecond");
    const grpcJs = medianOf(runs, "grpcJs", "eventsPerSecond");
    const encodeOnly = medianOf(runs, "encodeOnly", "eventsPerSecond");
    const connectEs = medianOf(runs, "connectEs", "eventsPerSecond");
    const connectEsCpu = medianOf(runs, "connectEs", "cpuMicrosPerEvent");
    const chaukasCpu = medianOf(runs, "chaukas", "cpuMicrosPerEvent");
    const grpcJsCpu = medianOf(runs, "grpcJs", "cpuMicrosPerEvent");
    return {
      id: this.id,
      title: this.title,
      chaukas: `${show(chaukas, formatRate)}; client CPU ${show(chaukasCpu, micros)}/event`,
      baselines: `grpc-js ${show(grpcJs, formatRate)}, CPU ${show(grpcJsCpu, micros)}/event; bare connect-es ${show(connectEs, formatRate)}, CPU ${show(connectEsCpu, micros)}/event; encode-only ${show(encodeOnly, formatRate)}`,
      checks: [
        // Issue 28's targets: past grpc-js in events/s, at no more CPU than the bare client.
        atLeast("≥ 1.2× grpc-js", ratio(chaukas, grpcJs), 1.2, formatRatio),
        atMost(
          "client CPU/event ≤ 1.0× bare connect-es",
          ratio(chaukasCpu, connectEsCpu),
          1.0,
          formatRatio,
        ),
        shown("client CPU/event vs grpc-js", show(ratio(chaukasCpu, grpcJsCpu), formatRatio)),
        receivedEqualsEmitted(runs),
        samePayload(runs),
        shown(
          "vs bare connect-es (the SDK's own stack without the SDK)",
          `${show(ratio(chaukas, connectEs), formatRatio)} the events/s, at ${show(ratio(chaukasCpu, connectEsCpu), formatRatio)} the CPU per event; connect-es vs grpc-js ${show(ratio(connectEs, grpcJs), formatRatio)}`,
        ),
        shown(
          "vs encode-only (a ceiling no client reaches: no I/O, events prebuilt)",
          show(ratio(chaukas, encodeOnly), formatRatio),
        ),
      ],
      notes: [...errorNotes(runs), ...deliveryNote(runs)],
      data: {
        chaukasEventsPerSecond: chaukas,
        grpcJsEventsPerSecond: grpcJs,
        encodeOnlyEventsPerSecond: encodeOnly,
        connectEsEventsPerSecond: connectEs,
        connectEsCpuMicrosPerEvent: connectEsCpu,
        chaukasCpuMicrosPerEvent: chaukasCpu,
        grpcJsCpuMicrosPerEvent: grpcJsCpu,
        chaukasMessageBytesPerEvent: medianOf(runs, "chaukas", "messageBytesPerEvent"),
        grpcJsMessageBytesPerEvent: medianOf(runs, "grpcJs", "messageBytesPerEvent"),
      },
    };
  },
};

export const throughputDevserverRow: RowDefinition = {
  id: "throughput-devserver",
  title: "2b. Throughput, gRPC/HTTP2 loopback into the local backend",
  contenders: clientContenders("devserver"),
  evaluate(runs) {
    const chaukas = medianOf(runs, "chaukas", "eventsPerSecond");
    const grpcJs = medianOf(runs, "grpcJs", "eventsPerSecond");
    return {
      id: this.id,
      title: this.title,
      chaukas: show(chaukas, formatRate),
      baselines: `grpc-js ${show(grpcJs, formatRate)}`,
      checks: [
        shown(
          "vs grpc-js (bound by the backend's decoding)",
          show(ratio(chaukas, grpcJs), formatRatio),
        ),
        receivedEqualsEmitted(runs),
      ],
      notes: errorNotes(runs),
      data: { chaukasEventsPerSecond: chaukas, grpcJsEventsPerSecond: grpcJs },
    };
  },
};
