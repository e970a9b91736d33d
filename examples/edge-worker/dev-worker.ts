// `pnpm --filter @chaukas/example-edge-worker start:worker` (after `pnpm build`): runs the Worker
// in real workerd through Miniflare on http://127.0.0.1:8787, sending to CHAUKAS_ENDPOINT (default
// http://127.0.0.1:50051, e.g. a `chaukas-devserver`). With a Cloudflare account, `wrangler dev`
// / `wrangler deploy` use wrangler.toml instead.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("./src/worker.ts", import.meta.url))],
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  write: false,
});
const mf = new Miniflare({
  modules: true,
  script: bundle.outputFiles[0]?.text ?? "",
  compatibilityDate: "2025-01-01",
  host: "127.0.0.1",
  port: Number(process.env.PORT ?? 8787),
  bindings: { CHAUKAS_ENDPOINT: process.env.CHAUKAS_ENDPOINT ?? "http://127.0.0.1:50051" },
});
console.log(`worker listening on ${await mf.ready}`);
process.once("SIGINT", () => void mf.dispose().then(() => process.exit(0)));
