import { assertHeaderValue, ChaukasValidationError, WIRE_PROTOCOLS } from "@chaukas/client";
import type { NodeTransportProtocol } from "./node-transport.js";

/** Where events go, from `CHAUKAS_OUTPUT_MODE`. */
export type ChaukasOutputMode = "api" | "file" | "console";

/** The settings `CHAUKAS_*` environment variables carry; absent variables stay undefined. */
export interface ChaukasEnvConfig {
  /** `CHAUKAS_ENDPOINT`: the backend's base URL. */
  readonly endpoint?: string;
  /** `CHAUKAS_API_KEY`: sent as a bearer token. */
  readonly apiKey?: string;
  /** `CHAUKAS_TENANT_ID`. */
  readonly tenantId?: string;
  /** `CHAUKAS_PROJECT_ID`. */
  readonly projectId?: string;
  /** `CHAUKAS_PROTOCOL`: `grpc`, `connect` or `grpc-web`. */
  readonly protocol?: NodeTransportProtocol;
  /** `CHAUKAS_BATCH_SIZE`: events per batch, a positive integer. */
  readonly batchSize?: number;
  /** `CHAUKAS_FLUSH_INTERVAL`: milliseconds between scheduled flushes, a positive integer. */
  readonly flushIntervalMs?: number;
  /** `CHAUKAS_OUTPUT_MODE`: `api` (send to the backend), `file` or `console`. */
  readonly outputMode?: ChaukasOutputMode;
  /** `CHAUKAS_OUTPUT_FILE`: the JSON-lines file of output mode `file`. */
  readonly outputFile?: string;
  /** `CHAUKAS_OUTBOX_DIR`: the directory of a file outbox (`createFileOutbox`). */
  readonly outboxDir?: string;
}

/** The variables `readChaukasEnv` reads, in the order the documentation lists them. */
export const CHAUKAS_ENV_VARIABLES = [
  "CHAUKAS_ENDPOINT",
  "CHAUKAS_API_KEY",
  "CHAUKAS_TENANT_ID",
  "CHAUKAS_PROJECT_ID",
  "CHAUKAS_PROTOCOL",
  "CHAUKAS_BATCH_SIZE",
  "CHAUKAS_FLUSH_INTERVAL",
  "CHAUKAS_OUTPUT_MODE",
  "CHAUKAS_OUTPUT_FILE",
  "CHAUKAS_OUTBOX_DIR",
] as const;

const OUTPUT_MODES: readonly ChaukasOutputMode[] = ["api", "file", "console"];

/**
 * Reads and checks the `CHAUKAS_*` variables. Empty values count as absent. Throws a
 * `ChaukasValidationError` whose `field` is the first malformed variable and whose message says
 * the form it expects (never the value, which may be a secret); whether
 * a variable is *required* depends on the rest of the configuration and is checked by
 * `createChaukasClientFromEnv`.
 */
export function readChaukasEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChaukasEnvConfig {
  const get = (name: (typeof CHAUKAS_ENV_VARIABLES)[number]) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const endpoint = get("CHAUKAS_ENDPOINT");
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new ChaukasValidationError(
      "CHAUKAS_ENDPOINT",
      "expected an absolute http:// or https:// URL such as http://localhost:50051",
    );
  }
  const apiKey = get("CHAUKAS_API_KEY");
  if (apiKey !== undefined) {
    assertHeaderValue("CHAUKAS_API_KEY", apiKey);
  }
  const protocol = oneOf("CHAUKAS_PROTOCOL", get("CHAUKAS_PROTOCOL"), WIRE_PROTOCOLS);
  const outputMode = oneOf("CHAUKAS_OUTPUT_MODE", get("CHAUKAS_OUTPUT_MODE"), OUTPUT_MODES);
  const batchSize = positiveInteger("CHAUKAS_BATCH_SIZE", get("CHAUKAS_BATCH_SIZE"), "events");
  const flushIntervalMs = positiveInteger(
    "CHAUKAS_FLUSH_INTERVAL",
    get("CHAUKAS_FLUSH_INTERVAL"),
    "milliseconds",
  );
  return dropUndefined({
    endpoint,
    apiKey,
    tenantId: get("CHAUKAS_TENANT_ID"),
    projectId: get("CHAUKAS_PROJECT_ID"),
    protocol,
    batchSize,
    flushIntervalMs,
    outputMode,
    outputFile: get("CHAUKAS_OUTPUT_FILE"),
    outboxDir: get("CHAUKAS_OUTBOX_DIR"),
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  const lower = value.toLowerCase();
  const match = allowed.find((candidate) => candidate === lower);
  if (match === undefined) {
    throw new ChaukasValidationError(name, `expected one of ${allowed.join(", ")}`);
  }
  return match;
}

function positiveInteger(
  name: string,
  value: string | undefined,
  unit: string,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new ChaukasValidationError(
      name,
      `expected a positive whole number of ${unit}, such as 100`,
    );
  }
  return Number(value);
}

function dropUndefined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
