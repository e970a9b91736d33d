import { createServer, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { countBatchEvents } from "./count-batch-events.js";
import type { SinkCounts } from "./sink-process.js";

// The child side of `startSinkProcess`: a gRPC-over-HTTP/2 (h2c) backend that only counts. It
// answers every unary call with an empty message and `grpc-status: 0`, and counts the calls, the
// bytes on the wire, the messages' bytes before compression and the events in each request. It
// decodes nothing else, so the client is what row 2 measures, not the backend.
const counts: SinkCounts = {
  calls: 0,
  compressedCalls: 0,
  events: 0,
  wireBytes: 0,
  messageBytes: 0,
};

/** An empty response message as a gRPC length-prefixed frame (not compressed, length 0). */
const EMPTY_MESSAGE_FRAME = new Uint8Array(5);

function answer(stream: ServerHttp2Stream, body: Buffer): void {
  counts.calls++;
  counts.wireBytes += body.length;
  // One gRPC frame per unary request: 1 byte compressed flag, 4 bytes length, the message.
  for (let offset = 0; offset + 5 <= body.length; ) {
    const compressed = body[offset] === 1;
    const length = body.readUInt32BE(offset + 1);
    const frame = body.subarray(offset + 5, offset + 5 + length);
    const message = compressed ? gunzipSync(frame) : frame;
    if (compressed) counts.compressedCalls++;
    counts.messageBytes += message.length;
    counts.events += countBatchEvents(message);
    offset += 5 + length;
  }
  stream.respond(
    { ":status": 200, "content-type": "application/grpc+proto", "grpc-accept-encoding": "gzip" },
    { waitForTrailers: true },
  );
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(EMPTY_MESSAGE_FRAME);
}

/**
 * `BENCH_SINK_DELAY_MS`: answers each call this much later, as a backend across a network would
 * (a round trip), to see what calls in flight are worth there. Default 0 (loopback).
 */
const delayMs = Number(process.env.BENCH_SINK_DELAY_MS ?? 0);

const server = createServer();
server.on("stream", (stream) => {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.once("end", () => {
    const body = Buffer.concat(chunks);
    if (delayMs > 0) setTimeout(() => answer(stream, body), delayMs);
    else answer(stream, body);
  });
  stream.on("error", () => {});
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.send!({ type: "ready", url: `http://127.0.0.1:${port}` });
});

process.on("message", (message: { type: string }) => {
  switch (message.type) {
    case "counts":
      process.send!({ type: "counts", counts });
      break;
    case "close":
      server.close(() => process.exit(0));
      // Open client sessions keep `close` waiting; the counts were read already.
      setTimeout(() => process.exit(0), 500).unref();
  }
});
