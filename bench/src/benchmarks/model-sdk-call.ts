import { createChaukasClient } from "@chaukas/client";
import { wrapOpenAI } from "@chaukas/openai";
import OpenAI from "openai";
import { startFakeOpenAI } from "../../../packages/openai/test/fake-openai.js";
import { DISCARDING_EXPORTER } from "../fixtures/chaukas-session.js";
import { reportResult } from "../result-channel.js";
import { median } from "../stats.js";

// Row 6: a model call through the provider's SDK against a local fake of its API (in this
// process, on loopback), by a client wrapped for Chaukas and by an unwrapped one, call by call
// in turn, so both meet the same load on a shared machine: the wall time of each call as the
// app sees it, from the call to its parsed result (or the end of its stream). The wrapped
// client records into a session whose exporter discards.
const WARM_UP = 200;
const CALLS = 800;

const api = await startFakeOpenAI();
const newClient = () => new OpenAI({ apiKey: "sk-bench", baseURL: api.url, maxRetries: 0 });
const chaukas = createChaukasClient({
  exporter: DISCARDING_EXPORTER,
  tenantId: "bench",
  projectId: "model-sdk",
});
const session = chaukas.startSession();
const clients = { bare: newClient(), wrapped: wrapOpenAI(newClient(), session) };

const messages = [{ role: "user" as const, content: "Say hello" }];
const call = (openai: OpenAI) => openai.chat.completions.create({ model: "gpt-fake", messages });
async function streamedCall(openai: OpenAI) {
  const stream = await openai.chat.completions.create({
    model: "gpt-fake",
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const _ of stream);
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start);
}

/**
 * Median wall times of `fn` through each client, the two taking turns (which goes first
 * alternates), and the median of the wrapped/bare ratio of each pair.
 */
async function timePairs(fn: (openai: OpenAI) => Promise<unknown>) {
  for (let i = 0; i < WARM_UP; i++) {
    await fn(clients.bare);
    await fn(clients.wrapped);
  }
  const bare: number[] = [];
  const wrapped: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    if (i % 2 === 0) {
      bare.push(await time(() => fn(clients.bare)));
      wrapped.push(await time(() => fn(clients.wrapped)));
    } else {
      wrapped.push(await time(() => fn(clients.wrapped)));
      bare.push(await time(() => fn(clients.bare)));
    }
  }
  return {
    bare: median(bare),
    wrapped: median(wrapped),
    pairRatio: median(wrapped.map((w, i) => w / (bare[i] as number))),
  };
}

const calls = await timePairs(call);
const streamed = await timePairs(streamedCall);
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
  emitted: chaukas.stats().emitted,
});
