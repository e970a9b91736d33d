// Issue 28's encoding spike: protobuf-es `toBinary`, as the SDK encodes a batch's events today
// (`encodeEvents`: one `toBinary` over an EventBatch, then a view of each event), against the
// encoder generated from the schema's descriptors (`encodeEventList`), on the bench's events,
// A/B interleaved in one process. `pnpm --filter @chaukas/bench run encoding-spike [-- rounds]`.
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { createChaukasClient } from "@chaukas/client";
import {
  type Event,
  type EventBatch,
  EventBatchSchema,
  EventSchema,
} from "@chaukas/spec/common/v1";
import { encodeEventList } from "../../../packages/client/src/wire/gen/chaukas/spec/common/v1/events_binary.js";
import { TOOL_CALL } from "../fixtures/tool-call-event.js";

const BATCH = 256;
const BATCHES = 40;
const rounds = Number(process.argv[2] ?? 15);

/** Events as the SDK's builders make them, caught by an exporter: `mix` picks the kinds. */
async function sdkEvents(mix: "tool-call-start" | "mixed"): Promise<Event[]> {
  const events: Event[] = [];
  const chaukas = createChaukasClient({
    exporter: {
      async export(batch: EventBatch) {
        events.push(...batch.events);
      },
    },
    tenantId: TOOL_CALL.tenantId,
    projectId: TOOL_CALL.projectId,
    maxQueueSize: 1_000_000,
  });
  const session = chaukas.startSession({ agentId: "planner", agentName: "Planner" });
  const agent = session.agentStart({ agentId: TOOL_CALL.agentId, agentName: TOOL_CALL.agentName });
  const perIteration = mix === "mixed" ? 4 : 1;
  for (let i = 0; i * perIteration < BATCH * BATCHES; i++) {
    const tool = agent.toolCallStart({
      name: TOOL_CALL.toolName,
      arguments: TOOL_CALL.arguments(i),
    });
    if (mix === "mixed") {
      tool.end({
        output: {
          hits: [{ id: `doc-${i}`, score: 0.93, text: "Rückerstattung binnen 14 Tagen ✓" }],
          total: 1,
        },
      });
      const model = agent.modelInvocationStart({
        provider: "openai",
        model: "gpt-4o-mini",
        request: {
          messages: [{ role: "user", content: `question ${i}: what is the refund policy?` }],
          temperature: 0.2,
        },
      });
      model.end({
        response: {
          choices: [{ message: { role: "assistant", content: "Refunds within 14 days." } }],
        },
        promptTokens: 42,
        completionTokens: 7,
      });
    }
    if (i % 1000 === 999) await chaukas.flush();
  }
  await chaukas.flush();
  await chaukas.shutdown();
  return events.slice(0, BATCH * BATCHES);
}

/** What `encodeEvents` does today. */
function encodeWithToBinary(events: readonly Event[]): Uint8Array[] {
  const batch = create(EventBatchSchema);
  batch.events = events as Event[];
  const reader = new BinaryReader(toBinary(EventBatchSchema, batch));
  return events.map(() => {
    reader.tag();
    return reader.bytes();
  });
}

const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function time(encode: (events: readonly Event[]) => Uint8Array[], batches: Event[][]): number {
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (const batch of batches) for (const e of encode(batch)) bytes += e.length;
  if (bytes === 0) throw new Error("nothing encoded");
  return Number(process.hrtime.bigint() - start) / 1000 / (batches.length * BATCH); // µs/event
}

for (const mix of ["tool-call-start", "mixed"] as const) {
  const events = await sdkEvents(mix);
  const batches: Event[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  // Same bytes, event by event, before anything is timed.
  for (const batch of batches) {
    const a = encodeWithToBinary(batch);
    const b = encodeEventList(batch);
    a.forEach((bytes, i) => {
      if (
        Buffer.compare(bytes, b[i]!) !== 0 ||
        Buffer.compare(bytes, toBinary(EventSchema, batch[i]!)) !== 0
      ) {
        throw new Error(`event ${i}: the generated encoder's bytes differ from toBinary's`);
      }
    });
  }
  const bytesPerEvent =
    events.reduce((n, e) => n + toBinary(EventSchema, e).length, 0) / events.length;
  for (let i = 0; i < 5; i++) {
    time(encodeWithToBinary, batches); // warm-up
    time(encodeEventList, batches);
  }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Which goes first alternates, so a neighbour's burst hits both alike.
    const [x, y] =
      round % 2 === 0
        ? [time(encodeWithToBinary, batches), time(encodeEventList, batches)]
        : (([q, p]) => [p, q])([time(encodeEventList, batches), time(encodeWithToBinary, batches)]);
    a.push(x!);
    b.push(y!);
    ratios.push(y! / x!);
  }
  console.log(
    `${mix}: ${events.length} events of ${bytesPerEvent.toFixed(1)} B, ${rounds} rounds: toBinary ${median(a).toFixed(2)} µs/event, generated ${median(b).toFixed(2)} µs/event; generated/toBinary median of per-round ratios ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  );
}
