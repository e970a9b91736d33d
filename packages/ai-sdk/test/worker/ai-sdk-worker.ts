// A Cloudflare Worker (module syntax) that answers with `generateText` and a tool, on the AI
// SDK's mock model, recording the call into a Chaukas session sent over fetch to CHAUKAS_ENDPOINT.
// Edge runtimes keep no context across `await`, so the integration is given the session
// handle per call; the flush goes to `ctx.waitUntil`.
import { chaukasTelemetry } from "@chaukas/ai-sdk";
import { createChaukasClient } from "@chaukas/client";
import {
  createWebTransport,
  flushOnWaitUntil,
  type WaitUntilContext,
} from "@chaukas/transport-web";
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { toolThenAnswerModel } from "../scripted-model.js";

interface Env {
  readonly CHAUKAS_ENDPOINT: string;
}

export interface WorkerReply {
  readonly sessionId: string;
  readonly text: string;
  readonly telemetryFailures: number;
}

export default {
  async fetch(_request: Request, env: Env, ctx: WaitUntilContext): Promise<Response> {
    const chaukas = createChaukasClient({
      transport: createWebTransport({ baseUrl: env.CHAUKAS_ENDPOINT }),
      tenantId: "acme",
      projectId: "ai-sdk-workerd",
    });
    const session = chaukas.startSession({ agentId: "edge-agent" });
    const telemetry = chaukasTelemetry(session);
    const result = await generateText({
      model: toolThenAnswerModel(
        { toolCallId: "call-1", toolName: "weather", input: { city: "Paris" } },
        "It is sunny in Paris.",
      ),
      prompt: "What is the weather in Paris?",
      tools: {
        weather: tool({
          inputSchema: jsonSchema<{ city: string }>({
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
          }),
          // Emitted before the first await: the tool's span is active (executeTool).
          execute: async ({ city }) => {
            chaukas.dataAccess({ datasource: `weather://${city}` });
            return { city, temperatureC: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(3),
      telemetry: { integrations: [telemetry] },
    });
    session.end();
    flushOnWaitUntil(chaukas, ctx);
    const reply: WorkerReply = {
      sessionId: session.id,
      text: result.text,
      telemetryFailures: telemetry.stats().failed,
    };
    return Response.json(reply);
  },
};
