/** `createChaukasClientFromEnv`: the Node client configured from the Python SDK's CHAUKAS_* variables. */
import { type ChaukasClient, ChaukasValidationError } from "@chaukas/client";
import { createConsoleExporter } from "./console-exporter.js";
import { type ChaukasEnvConfig, readChaukasEnv } from "./env-config.js";
import { createFileExporter } from "./file-exporter.js";
import { createFileOutbox } from "./file-outbox.js";
import { type ChaukasNodeClientOptions, createChaukasNodeClient } from "./node-client.js";

/**
 * A client configured by `CHAUKAS_*` environment variables, read with the names, meanings and
 * units of the Python `chaukas-sdk` so that both can share one `.env`; `overrides` take
 * precedence over the environment:
 *
 * | variable | option | form |
 * | --- | --- | --- |
 * | `CHAUKAS_ENDPOINT` | `baseUrl` | URL; required in output mode `api` |
 * | `CHAUKAS_API_KEY` | `apiKey` | bearer token |
 * | `CHAUKAS_TENANT_ID` | `tenantId` | required |
 * | `CHAUKAS_PROJECT_ID` | `projectId` | required |
 * | `CHAUKAS_PROTOCOL` | `protocol` | `grpc` (default), `connect`, `grpc-web`, `rest` |
 * | `CHAUKAS_BATCH_SIZE` | `maxBatchSize` | positive integer (events) |
 * | `CHAUKAS_MAX_BATCH_BYTES` | `maxBatchBytes` | positive integer (bytes) |
 * | `CHAUKAS_FLUSH_INTERVAL` | `flushIntervalMs` | positive number of **seconds** (`5.0`) |
 * | `CHAUKAS_TIMEOUT` | `timeoutMs` (each call's deadline, exports included) | positive number of **seconds** (`30.0`) |
 * | `CHAUKAS_BRANCH` | `branch` | text |
 * | `CHAUKAS_TAGS` | `tags` | comma-separated |
 * | `CHAUKAS_OUTPUT_MODE` | — | `api` (default), `file`, `console` |
 * | `CHAUKAS_OUTPUT_FILE` | — | path; required in output mode `file` |
 * | `CHAUKAS_OUTBOX_DIR` | `outbox` | directory of a `createFileOutbox` (batches survive a crash) |
 *
 * Throws `ChaukasValidationError` whose `field` is the missing or malformed variable.
 */
export function createChaukasClientFromEnv(
  overrides: Partial<ChaukasNodeClientOptions> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChaukasClient {
  return createChaukasNodeClient(nodeClientOptionsFromEnv(overrides, env));
}

/**
 * The options `createChaukasClientFromEnv` passes to `createChaukasNodeClient`: those the
 * environment sets, then `overrides`. Checks the variables as it does.
 */
export function nodeClientOptionsFromEnv(
  overrides: Partial<ChaukasNodeClientOptions>,
  env: Readonly<Record<string, string | undefined>>,
): ChaukasNodeClientOptions {
  const config = readChaukasEnv(env);
  const tenantId = overrides.tenantId ?? required(config, "tenantId", "CHAUKAS_TENANT_ID");
  const projectId = overrides.projectId ?? required(config, "projectId", "CHAUKAS_PROJECT_ID");
  const mode = config.outputMode ?? "api";

  const fromEnv: Partial<ChaukasNodeClientOptions> = {
    ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
    ...(config.protocol !== undefined ? { protocol: config.protocol } : {}),
    ...(config.batchSize !== undefined ? { maxBatchSize: config.batchSize } : {}),
    ...(config.maxBatchBytes !== undefined ? { maxBatchBytes: config.maxBatchBytes } : {}),
    ...(config.flushIntervalMs !== undefined ? { flushIntervalMs: config.flushIntervalMs } : {}),
    // Python's timeout bounds each request: the transport's deadline, which exports use too.
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.branch !== undefined ? { branch: config.branch } : {}),
    ...(config.tags !== undefined ? { tags: config.tags } : {}),
    ...(config.endpoint !== undefined ? { baseUrl: config.endpoint } : {}),
    ...(config.outboxDir !== undefined
      ? { outbox: createFileOutbox({ directory: config.outboxDir }) }
      : {}),
  };
  if (overrides.exporter === undefined) {
    if (mode === "file") {
      const path = required(
        config,
        "outputFile",
        "CHAUKAS_OUTPUT_FILE",
        "a file path when CHAUKAS_OUTPUT_MODE=file",
      );
      Object.assign(fromEnv, { exporter: createFileExporter({ path }) });
    } else if (mode === "console") {
      Object.assign(fromEnv, { exporter: createConsoleExporter() });
    } else if (overrides.baseUrl === undefined) {
      required(
        config,
        "endpoint",
        "CHAUKAS_ENDPOINT",
        "the backend URL, e.g. http://localhost:50051",
      );
    }
  }
  return { ...fromEnv, ...overrides, tenantId, projectId };
}

function required<K extends keyof ChaukasEnvConfig>(
  config: ChaukasEnvConfig,
  key: K,
  variable: string,
  expected = "a non-empty value",
): NonNullable<ChaukasEnvConfig[K]> {
  const value = config[key];
  if (value === undefined) {
    throw new ChaukasValidationError(variable, `is not set: expected ${expected}`);
  }
  return value as NonNullable<ChaukasEnvConfig[K]>;
}
