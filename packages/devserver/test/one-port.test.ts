// The HTTP/1 vs HTTP/2 split works on the first bytes of a connection, which TCP may deliver
// in pieces: these tests deliver them in pieces on purpose.
import * as http2 from "node:http2";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../src/index.js";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server.close();
});

const healthzPath = "/chaukas.spec.client.v1.ChaukasClientService/Healthz";
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("one port for HTTP/1.1 and HTTP/2", () => {
  it("serves an HTTP/1.1 request that arrives one byte at a time ('P' could start the HTTP/2 preface)", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let response = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      response += chunk;
    });
    const request = [
      `POST ${healthzPath} HTTP/1.1`,
      "Host: localhost",
      "Content-Type: application/json",
      "Connect-Protocol-Version: 1",
      "Content-Length: 2",
      "Connection: close",
      "",
      "{}",
    ].join("\r\n");
    for (const byte of request.slice(0, 8)) {
      socket.write(byte);
      await pause();
    }
    socket.end(request.slice(8));
    await new Promise((resolve) => socket.once("close", resolve));
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(response.endsWith("{}")).toBe(true);
  });

  it("serves HTTP/2 when the connection preface arrives split in two", async () => {
    let split = false;
    const session = http2.connect(server.url, {
      // A Duplex in front of the socket: HTTP/2 writes to it from JS, so the first write (the
      // preface) can be split before it reaches the wire.
      createConnection: () => {
        const socket = net.connect(server.port, "127.0.0.1");
        const duplex = new Duplex({
          read() {},
          write(chunk: Buffer, _encoding, callback) {
            if (split) {
              socket.write(chunk, callback);
              return;
            }
            split = true;
            socket.write(chunk.subarray(0, 10));
            setTimeout(() => socket.write(chunk.subarray(10), callback), 20);
          },
          final(callback) {
            socket.end(callback);
          },
          destroy(error, callback) {
            socket.destroy();
            callback(error);
          },
        });
        socket.on("data", (data: Buffer) => duplex.push(data));
        socket.on("end", () => duplex.push(null));
        socket.on("error", (error) => duplex.destroy(error));
        return duplex;
      },
    });
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": healthzPath,
        "content-type": "application/json",
        "connect-protocol-version": "1",
      });
      stream.end("{}");
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
        stream.once("response", (responseHeaders) => resolve(responseHeaders)),
      );
      let body = "";
      stream.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      await new Promise((resolve) => stream.once("end", resolve));
      expect(headers[":status"]).toBe(200);
      expect(body).toBe("{}");
      expect(split).toBe(true);
    } finally {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
  });
});
