// `createRelayHandler`: the relay's request handler, routing each protocol to its steps.

import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { ChaukasClient } from "../client.js";
import { createIntegrationGuard } from "../integration/integration-guard.js";
import { PUBLIC_API_PATHS } from "../rest/public-api.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { createCallerBudgets } from "./caller-budgets.js";
import { newRelayCall } from "./relay-call.js";
import { createRelayIngest } from "./relay-ingest.js";
import { type ChaukasRelayOptions, RELAY_DEFAULTS } from "./relay-options.js";
import { createRelayRest } from "./relay-rest.js";
import { createRelayRpc } from "./relay-rpc.js";
import { createRelayCounters, type RelayStats } from "./relay-stats.js";

/** What the relay needs of the server's client. */
export type RelayClient = Pick<ChaukasClient, "emit" | "queryPage">;

/**
 * The relay without a server: it answers connect-es's `UniversalServerRequest` (which the
 * transports make from Node's `IncomingMessage` or a Fetch `Request`) and hands `original`, the
 * framework's own request, to `authorize`.
 */
export interface RelayHandler<Request> {
  /**
   * Answers a request whose path ends with one of the relay's routes, under any prefix the app
   * mounts it at (`/chaukas/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch`,
   * `/chaukas/v1/events/batch`); resolves `undefined` for any other path, which is not the
   * relay's to answer.
   */
  handle(
    request: UniversalServerRequest,
    original: Request,
  ): Promise<UniversalServerResponse | undefined>;
  /** A snapshot of what the relay has forwarded and refused. */
  stats(): RelayStats;
}

/**
 * The transport-agnostic relay: `createChaukasRelay` of `@chaukas/transport-node` and
 * `@chaukas/transport-web` adapt it to their request and response types. Throws
 * `ChaukasValidationError` naming the option for invalid options.
 */
export function createRelayHandler<Request>(
  chaukas: RelayClient,
  options: ChaukasRelayOptions<Request>,
): RelayHandler<Request> {
  const settings = checkOptions(chaukas, options);
  const { authorize, maxRequestBytes } = settings;
  const report = createIntegrationGuard(options.onError).report;
  const budgets = createCallerBudgets({
    perSecond: settings.eventsPerSecond,
    burst: settings.burstEvents,
    maxCallers: settings.maxCallers,
  });
  const ingest = createRelayIngest({ chaukas, budgets, burstEvents: settings.burstEvents });
  const rpcs = createRelayRpc({
    chaukas,
    authorize,
    report,
    ingest,
    budgets,
    maxRequestBytes,
    query: settings.query,
  });
  const restBatch = createRelayRest({ authorize, report, ingest, maxRequestBytes });
  const counters = createRelayCounters();

  return {
    async handle(request, original) {
      const path = new URL(request.url, "http://relay").pathname;
      const rpc = rpcs.match(path);
      const isRest = path.endsWith(PUBLIC_API_PATHS.ingestEventBatch);
      if (rpc === undefined && !isRest) return undefined;
      const call = newRelayCall(original);
      try {
        return isRest ? await restBatch(call, request) : await rpcs.handle(rpc!, call, request);
      } finally {
        counters.record(call);
      }
    },
    stats: () => counters.snapshot(),
  };
}

/** The options with their defaults, checked. */
function checkOptions<Request>(chaukas: RelayClient, options: ChaukasRelayOptions<Request>) {
  if (typeof chaukas?.emit !== "function") {
    throw new ChaukasValidationError("chaukas", "expected the server's Chaukas client");
  }
  if (typeof options !== "object" || options === null) {
    throw new ChaukasValidationError("options", "expected an options object with authorize");
  }
  if (typeof options.authorize !== "function") {
    throw new ChaukasValidationError(
      "authorize",
      "expected a function of the request returning { tenantId, projectId } or null",
    );
  }
  const settings = { ...RELAY_DEFAULTS, ...definedOf(options) };
  positive(settings.eventsPerSecond, "eventsPerSecond", true);
  positive(settings.burstEvents, "burstEvents");
  positive(settings.maxRequestBytes, "maxRequestBytes");
  positive(settings.maxCallers, "maxCallers");
  if (typeof settings.query !== "boolean") {
    throw new ChaukasValidationError("query", "expected a boolean");
  }
  return { ...settings, authorize: options.authorize };
}

function definedOf<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function positive(value: unknown, field: string, infinityOk = false): void {
  const ok =
    typeof value === "number" &&
    value > 0 &&
    (Number.isInteger(value) || (infinityOk && (value === Infinity || Number.isFinite(value))));
  if (!ok) {
    throw new ChaukasValidationError(
      field,
      `expected a positive ${infinityOk ? "number (or Infinity)" : "integer"}, got ${String(value)}`,
    );
  }
}
