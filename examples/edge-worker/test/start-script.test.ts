import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { alive, descendantsOf, startScript, stopAllScripts } from "./start-script.js";

const wrapper = fileURLToPath(new URL("./fixtures/wrapper.mjs", import.meta.url));

afterAll(async () => {
  await stopAllScripts();
});

describe("a server script started through a wrapper (like the npm deno and bun commands)", () => {
  it("stop() ends the wrapper and the process it started", async () => {
    const script = await startScript(process.execPath, [wrapper], {});
    const started = descendantsOf(script.child.pid);
    expect(started).toHaveLength(1);
    await script.stop();
    expect(alive(script.child.pid!)).toBe(false);
    expect(started.filter(alive)).toEqual([]);
  });

  it("stop() fails, naming the pid, when a child left the group and ignored SIGTERM, and kills it", async () => {
    const script = await startScript(process.execPath, [wrapper, "escape"], {});
    const started = descendantsOf(script.child.pid);
    expect(started).toHaveLength(1);
    await expect(script.stop()).rejects.toThrow(
      new RegExp(`left processes running .*pids ${started[0]}\\b`),
    );
    expect(started.filter(alive)).toEqual([]);
  });
});
