import { startDevServer } from "@chaukas/devserver";

// The child side of `startBackendProcess`: the local backend with in-memory storage, driven
// over IPC (count what is stored, take the port down or up, close).
const server = await startDevServer({ port: Number(process.env.BENCH_BACKEND_PORT ?? 0) });
process.send!({ type: "ready", url: server.url });

process.on("message", async (message: { type: string; down?: boolean }) => {
  switch (message.type) {
    case "count":
      process.send!({ type: "stored", count: server.store.size });
      break;
    case "down":
      server.faults.down = message.down === true;
      await server.faults.settled();
      process.send!({ type: "settled" });
      break;
    case "close":
      await server.close();
      process.exit(0);
  }
});
