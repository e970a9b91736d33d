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
  /** `CHAUKAS_PROTOCOL`: `grpc`, `connect`, `grpc-web` or `rest` (the public REST API). */
  readonly protocol?: NodeTransportProtocol;
  /** `CHAUKAS_BATCH_SIZE`: events per batch, a positive integer. */
  readonly batchSize?: number;
  /** `CHAUKAS_MAX_BATCH_BYTES`: encoded bytes per batch at most, a positive integer. */
  readonly maxBatchBytes?: number;
  /**
   * `CHAUKAS_FLUSH_INTERVAL`: how long an event may wait for its batch to fill up, written in
   * seconds as the Python SDK reads it (`5.0`, `0.25`), held here in whole milliseconds.
   */
  readonly flushIntervalMs?: number;
  /**
   * `CHAUKAS_TIMEOUT`: the deadline of one request, written in seconds as the Python SDK reads
   * it (`30.0`), held here in whole milliseconds.
   */
  readonly timeoutMs?: number;
  /** `CHAUKAS_BRANCH`: `branch` of every event unless a builder sets one. */
  readonly branch?: string;
  /** `CHAUKAS_TAGS`: tags of every event, written comma-separated (`production,agent-monitoring`). */
  readonly tags?: readonly string[];
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
  "CHAUKAS_MAX_BATCH_BYTES",
  "CHAUKAS_FLUSH_INTERVAL",
  "CHAUKAS_TIMEOUT",
  "CHAUKAS_BRANCH",
  "CHAUKAS_TAGS",
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
  const maxBatchBytes = positiveInteger(
    "CHAUKAS_MAX_BATCH_BYTES",
    get("CHAUKAS_MAX_BATCH_BYTES"),
    "bytes",
  );
  const flushIntervalMs = secondsAsMs("CHAUKAS_FLUSH_INTERVAL", get("CHAUKAS_FLUSH_INTERVAL"));
  const timeoutMs = secondsAsMs("CHAUKAS_TIMEOUT", get("CHAUKAS_TIMEOUT"));
  return dropUndefined({
    endpoint,
    apiKey,
    tenantId: get("CHAUKAS_TENANT_ID"),
    projectId: get("CHAUKAS_PROJECT_ID"),
    protocol,
    batchSize,
    maxBatchBytes,
    flushIntervalMs,
    timeoutMs,
    branch: get("CHAUKAS_BRANCH"),
    tags: commaSeparated(get("CHAUKAS_TAGS")),
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

/**
 * A positive number of seconds (`5`, `5.0`, `0.25`), as Python's `float()` reads the variables
 * the two SDKs share, in whole milliseconds; at least 1 ms.
 */
function secondsAsMs(name: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const ms = /^(\d+\.?\d*|\.\d+)$/.test(value) ? Math.round(Number(value) * 1000) : Number.NaN;
  if (!(ms >= 1) || !Number.isSafeInteger(ms)) {
    throw new ChaukasValidationError(
      name,
      "expected a positive number of seconds, such as 5.0 or 0.25",
    );
  }
  return ms;
}

/**
 * `a,b` as a list. Unlike Python's `split(",")`, whitespace around a tag and empty entries are
 * dropped: `a, b` tags events `b`, not ` b`, which no one means to filter by.
 */
function commaSeparated(value: string | undefined): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  return items.length === 0 ? undefined : items;
}

function dropUndefined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
