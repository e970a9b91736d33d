import { connect, createServer, type Socket } from "node:net";

/** A TCP relay in front of a server that counts the bytes the client sent through it. */
export interface ByteCountingProxy {
  readonly port: number;
  /** Bytes from clients to the server so far (HTTP/2 framing and headers included). */
  bytesUp(): number;
  close(): Promise<void>;
}

export async function startByteCountingProxy(targetPort: number): Promise<ByteCountingProxy> {
  let up = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      up += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("proxy has no TCP address");
  }
  return {
    port: address.port,
    bytesUp: () => up,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
