import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starts a server script (Deno, Bun) and resolves with its URL once it prints
 * `listening on <url>`; rejects with its output if it exits first.
 */
export function startScript(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        child.stdout?.off("data", onData);
        resolve({ url: match[1], child, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}
