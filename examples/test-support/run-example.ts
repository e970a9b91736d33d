// How an example's test runs it: `src/main.ts` on the workspace sources through tsx, as a user
// would run the example, with the example's test tsconfig (its paths point at the sources).
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const TSX_LOADER = pathToFileURL(
  fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url)),
).href;

/** What the example's process printed and how it exited. */
export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the example whose test file is `testUrl` (`import.meta.url`): `../src/main.ts` from it. */
export function runExample(testUrl: string): Promise<ExampleRun> {
  const here = (path: string) => fileURLToPath(new URL(path, testUrl));
  const child = spawn(process.execPath, ["--import", TSX_LOADER, here("../src/main.ts")], {
    env: { ...process.env, TSX_TSCONFIG_PATH: here("./tsconfig.json") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
