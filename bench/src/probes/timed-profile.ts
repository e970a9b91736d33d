import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";

/**
 * `BENCH_PROFILE_TIMED=<dir>`: a CPU profile of a benchmark's timed part only (module loading,
 * setup and warm-up left out), written to `<dir>/<name>-<pid>.cpuprofile` for
 * `src/profile-summary.ts`. Unset, it returns a stop that does nothing.
 */
export async function startTimedProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE_TIMED;
  if (dir === undefined || dir === "") return async () => {};
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
  };
}
