import { createChaukasClient } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { createConsoleExporter } from "./console-exporter.js";
import { registerExitFlush } from "./exit-flush.js";

const counts = () => ({
  SIGTERM: process.listenerCount("SIGTERM"),
  SIGINT: process.listenerCount("SIGINT"),
  SIGHUP: process.listenerCount("SIGHUP"),
  beforeExit: process.listenerCount("beforeExit"),
});

const client = createChaukasClient({
  exporter: createConsoleExporter(),
  tenantId: "acme",
  projectId: "exit-flush",
});

describe("registerExitFlush listeners", () => {
  it("adds one listener per event however many clients register, and removes them all", () => {
    const before = counts();
    const unregisterA = registerExitFlush(client);
    const unregisterB = registerExitFlush(client, { signals: ["SIGTERM", "SIGHUP"] });
    expect(counts()).toEqual({
      SIGTERM: before.SIGTERM + 1,
      SIGINT: before.SIGINT + 1,
      SIGHUP: before.SIGHUP + 1,
      beforeExit: before.beforeExit + 1,
    });
    unregisterA();
    expect(counts()).toEqual({
      ...before,
      SIGTERM: before.SIGTERM + 1,
      SIGHUP: before.SIGHUP + 1,
      beforeExit: before.beforeExit + 1,
    });
    unregisterB();
    unregisterB();
    expect(counts()).toEqual(before);
  });
});
