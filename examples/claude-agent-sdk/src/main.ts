// A coding agent's query with the Claude Agent SDK: it reads a file and answers. The SDK's
// bundled Claude Code CLI runs for real, pointed by ANTHROPIC_BASE_URL at a scripted Messages
// API on loopback (no key, no network). `wrapQuery` records the query; the session is read back
// and printed as a tree.
//   pnpm --filter @chaukas/example-claude-agent-sdk start [-- --endpoint URL]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { query as sdkQuery } from "@anthropic-ai/claude-agent-sdk";
import { wrapQuery } from "@chaukas/claude-agent-sdk";
import { formatSessionTree, startDevServer } from "@chaukas/devserver";
import type { Event } from "@chaukas/spec/common/v1";
import { createChaukasNodeClient } from "@chaukas/transport-node";
import { startFakeAgentApi } from "./scripted-messages-api.js";

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: { endpoint: { type: "string" } },
  });
  const cwd = mkdtempSync(join(tmpdir(), "chaukas-example-"));
  writeFileSync(join(cwd, "TODO.md"), "- ship the Chaukas integration\n");
  const server = values.endpoint === undefined ? await startDevServer({ port: 0 }) : undefined;
  const model = await startFakeAgentApi([
    {
      text: "Let me read the TODO list.",
      toolUses: [{ id: "toolu_1", name: "Read", input: { file_path: join(cwd, "TODO.md") } }],
    },
    { text: "One item is left: ship the Chaukas integration." },
  ]);
  try {
    const baseUrl = values.endpoint ?? server!.url;
    console.log(`Chaukas backend: ${baseUrl}`);
    const chaukas = createChaukasNodeClient({
      baseUrl,
      protocol: "grpc",
      tenantId: "acme",
      projectId: "claude-agent-example",
    });

    // The one line: every query now reports to Chaukas, as a session of the SDK's session id.
    const query = wrapQuery(sdkQuery, chaukas);

    let sessionId = "";
    for await (const message of query({
      prompt: "What is left on my TODO list?",
      options: {
        cwd,
        model: "claude-sonnet-4-5",
        allowedTools: ["Read"],
        maxTurns: 4,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: cwd,
          ANTHROPIC_BASE_URL: model.url,
          ANTHROPIC_API_KEY: "not-needed",
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        },
      },
    })) {
      if (message.type === "system" && message.subtype === "init") sessionId = message.session_id;
      if (message.type === "result" && message.subtype === "success") {
        console.log(`answer: ${message.result}`);
      }
    }

    await chaukas.shutdown({ timeoutMs: 5000 });
    const stats = chaukas.stats();
    console.log(`${stats.sent} of ${stats.emitted} events delivered`);

    const events: Event[] = [];
    for await (const event of chaukas.query({ sessionId }, { order: "asc" })) events.push(event);
    console.log(formatSessionTree(events));
    return stats.failed === 0 && events.length === stats.emitted ? 0 : 1;
  } finally {
    await model.close();
    await server?.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
