import { create } from "@bufbuild/protobuf";
import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { contentHash, createIntegrityChain, verifyChain } from "./integrity.js";

function event(id: string, sessionId: string, metadata?: Record<string, number>): Event {
  return create(EventSchema, {
    eventId: id,
    sessionId,
    type: EventType.STATE_UPDATE,
    content: { case: "stateUpdate", value: { n: 1 } },
    ...(metadata ? { metadata } : {}),
  });
}

describe("integrity chain", () => {
  it("hashes independently of Struct key order and of the integrity fields", async () => {
    const a = event("e", "s", { a: 1, b: 2, "10": 3 });
    const b = event("e", "s", { b: 2, "10": 3, a: 1 });
    b.hashPrev = "ff";
    b.wormProofId = "proof";
    expect(await contentHash(a)).toBe(await contentHash(b));
    expect(await contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash(event("other", "s"))).not.toBe(await contentHash(event("e", "s")));
  });

  it("chains per session in link order, interleaved sessions included", async () => {
    const chain = createIntegrityChain();
    const s1 = [event("1", "s1"), event("2", "s1"), event("3", "s1")];
    const s2 = [event("a", "s2"), event("b", "s2")];
    for (const e of [s1[0]!, s2[0]!, s1[1]!, s2[1]!, s1[2]!]) await chain.link(e);
    expect(s1[1]!.hashPrev).toBe(s1[0]!.contentHash);
    expect(s2[1]!.hashPrev).toBe(s2[0]!.contentHash);
    expect(await verifyChain(s1)).toEqual({ ok: true });
    expect(await verifyChain(s2)).toEqual({ ok: true });
    expect(await verifyChain([s1[1]!, s1[0]!, s1[2]!])).toMatchObject({ ok: false, index: 0 });
    expect(await verifyChain([...s1, s2[0]!])).toMatchObject({ ok: false, index: 3 });
  });

  it("forgets a session at SESSION_END", async () => {
    const chain = createIntegrityChain();
    await chain.link(event("1", "s"));
    expect(chain.openSessions).toBe(1);
    await chain.link(
      create(EventSchema, { eventId: "2", sessionId: "s", type: EventType.SESSION_END }),
    );
    expect(chain.openSessions).toBe(0);
  });

  it("reports a missing hash and an edited event", async () => {
    expect(await verifyChain([event("1", "s")])).toMatchObject({
      ok: false,
      index: 0,
      eventId: "1",
    });
    const chain = createIntegrityChain();
    const events = [event("1", "s"), event("2", "s")];
    for (const e of events) await chain.link(e);
    events[1]!.content = { case: "stateUpdate", value: { n: 2 } };
    const result = await verifyChain(events);
    expect(result).toMatchObject({ ok: false, index: 1, eventId: "2" });
    expect(result.ok === false && result.reason).toMatch(/altered/);
  });
});

describe("contentHash", () => {
  // Hashes of the version that listed the Struct fields by hand: the schema-derived order must
  // give the same bytes, or stored chains would stop verifying.
  const json = () => ({
    b: 1,
    a: { d: [{ z: 1, y: { q: 1, p: 2 } }], c: "x" },
    "10": null,
    "2": true,
  });
  const golden = {
    message: [
      "7353dd8c14513eb8fb09fb0f9840b2caaf9b83759e805a4a18bf3c30132526c8",
      { text: "t", metadata: json() },
    ],
    toolCall: [
      "0a869b096bdc9f5cb84d82b484cda4cc9a8d07f1bc9a9fa9794ca2d5949425a2",
      { name: "n", arguments: json() },
    ],
    toolResponse: [
      "fdb399953e4ae53c27a28a954e1e6204f701de44a78016382cd3c4b7ecb2ed6b",
      { output: json() },
    ],
    llmInvocation: [
      "462816e03c3b382f6f3ecb3ee828281375628cf1e11a00d3fee0595d22f0459a",
      { request: json(), response: json() },
    ],
    mcpCall: [
      "2b4c96c9f93f3bbb695d178d703db8023ce25e4e06f967a318c60b40499de0b1",
      { request: json(), response: json() },
    ],
    stateUpdate: ["f08d2d88174e6003128920a6232db4c3b076970e7f842c871513b8d6948a0430", json()],
    agentHandoff: [
      "b531eb99ff78fb773184f2ee8e95c32a30af6d43f4371920cbab50b468dcb7c1",
      { handoffData: json() },
    ],
  } as const;

  it.each(Object.entries(golden))("hashes a %s event as before", async (kind, [hash, value]) => {
    const unsorted = create(EventSchema, {
      eventId: "e",
      sessionId: "s",
      type: EventType.SYSTEM,
      metadata: json(),
      infrastructure: { host: "h", metrics: json() },
      content: { case: kind, value },
    } as never);
    expect(await contentHash(unsorted)).toBe(hash);
  });
});
