import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Launches Debian's Chromium (never a Playwright download). When it is missing and we are root,
 * installs it with apt; otherwise fails with the one command that fixes it. `extraArgs` are
 * added to its command line (say, `--host-resolver-rules`).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.getuid?.() === 0) {
      execFileSync("apt-get", ["install", "-y", "chromium"], { stdio: "ignore" });
    }
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: run \`sudo apt-get install -y chromium\``,
      );
    }
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}
