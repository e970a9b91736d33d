import Anthropic from "@anthropic-ai/sdk";
import { wrapAnthropic } from "@chaukas/anthropic";
import { createChaukasClient } from "@chaukas/client";
import { wrapOpenAI } from "@chaukas/openai";
import OpenAI from "openai";
import { startFakeAnthropic } from "../../../packages/anthropic/test/fake-anthropic.js";
import { startFakeOpenAI } from "../../../packages/openai/test/fake-openai.js";
import { DISCARDING_EXPORTER } from "../fixtures/chaukas-session.js";
import { reportResult } from "../result-channel.js";
import { median } from "../stats.js";

// Rows 6 and 6b: a model call through the provider's SDK (SDK=openai or SDK=anthropic) against a local fake of its API (in this
// process, on loopback), by a client wrapped for Chaukas and by an unwrapped one, call by call
// in turn, so both meet the same load on a shared machine: the wall time of each call as the
// app sees it, from the call to its parsed result (or the end of its stream), and the process's
// CPU time during each client's calls (the fake API's work, the same for both, included). The wrapped
// client records into a session whose exporter discards.
const WARM_UP = 200;
const CALLS = 800;

const chaukas = createChaukasClient({
  exporter: DISCARDING_EXPORTER,
  tenantId: "bench",
  projectId: "model-sdk",
});
const session = chaukas.startSession();

/** A call as the app makes it: answered whole, or streamed and read to its end. */
type Call = (client: never) => Promise<unknown>;

/** Two clients of the SDK's fake API (one wrapped) and the calls made with them. */
async function setUp(sdk: string) {
  if (sdk === "anthropic") {
    const api = await startFakeAnthropic();
    const newClient = () => new Anthropic({ apiKey: "sk-bench", baseURL: api.url, maxRetries: 0 });
    const request = {
      model: "claude-fake",
      max_tokens: 256,
      messages: [{ role: "user" as const, content: "Say hello" }],
    };
    return {
      api,
      clients: { bare: newClient(), wrapped: wrapAnthropic(newClient(), session) },
      call: (client: Anthropic) => client.messages.create(request),
      streamedCall: async (client: Anthropic) => {
        const stream = await client.messages.create({ ...request, stream: true });
        for await (const _ of stream);
      },
    };
  }
  const api = await startFakeOpenAI();
  const newClient = () => new OpenAI({ apiKey: "sk-bench", baseURL: api.url, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "Say hello" }];
  return {
    api,
    clients: { bare: newClient(), wrapped: wrapOpenAI(newClient(), session) },
    call: (client: OpenAI) => client.chat.completions.create({ model: "gpt-fake", messages }),
    streamedCall: async (client: OpenAI) => {
      const stream = await client.chat.completions.create({
        model: "gpt-fake",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream);
    },
  };
}

const { api, clients, call, streamedCall } = await setUp(process.env.SDK ?? "openai");

/** CPU time of the process (µs, every thread) spent during each client's timed calls. */
const cpuMicros = { bare: 0, wrapped: 0 };

async function time(fn: () => Promise<unknown>, client: keyof typeof cpuMicros): Promise<number> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const elapsed = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  cpuMicros[client] += used.user + used.system;
  return elapsed;
}

/**
 * Median wall times of `fn` through each client, the two taking turns (which goes first
 * alternates), and the median of the wrapped/bare ratio of each pair.
 */
async function timePairs(fn: Call) {
  for (let i = 0; i < WARM_UP; i++) {
    await fn(clients.bare as never);
    await fn(clients.wrapped as never);
  }
  const bare: number[] = [];
  const wrapped: number[] = [];
  cpuMicros.bare = 0;
  cpuMicros.wrapped = 0;
  for (let i = 0; i < CALLS; i++) {
    if (i % 2 === 0) {
      bare.push(await time(() => fn(clients.bare as never), "bare"));
      wrapped.push(await time(() => fn(clients.wrapped as never), "wrapped"));
    } else {
      wrapped.push(await time(() => fn(clients.wrapped as never), "wrapped"));
      bare.push(await time(() => fn(clients.bare as never), "bare"));
    }
  }
  return {
    bare: median(bare),
    wrapped: median(wrapped),
    pairRatio: median(wrapped.map((w, i) => w / (bare[i] as number))),
    // CPU, not wall time: it tells work added from waiting added (an extra macrotask).
    cpuRatio: cpuMicros.wrapped / cpuMicros.bare,
  };
}

const calls = await timePairs(call as Call);
const streamed = await timePairs(streamedCall as Call);
session.end();
await chaukas.shutdown();
await api.close();
reportResult({
  bareNsPerCall: calls.bare,
  wrappedNsPerCall: calls.wrapped,
  pairRatioCall: calls.pairRatio,
  bareNsPerStreamedCall: streamed.bare,
  wrappedNsPerStreamedCall: streamed.wrapped,
  pairRatioStreamedCall: streamed.pairRatio,
  cpuRatioCall: calls.cpuRatio,
  cpuRatioStreamedCall: streamed.cpuRatio,
  emitted: chaukas.stats().emitted,
});
