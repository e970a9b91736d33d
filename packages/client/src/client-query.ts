// The client's reading side: `query`, `queryPage`, `capabilities` and `healthz`, over the
// transport's `ChaukasClientService` (a client made with an exporter only has none).
import { create } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import { type Capabilities, CapabilitiesSchema } from "@chaukas/spec/common/v1";
import {
  type CallOptions,
  Code,
  ConnectError,
  createClient,
  type Transport,
} from "@connectrpc/connect";
import type { EventDefaults } from "./builders/build-event.js";
import type { ChaukasClient, QueryPage, QueryPageOptions } from "./client.js";
import { type EventFilter, toQueryFilter, toSortOrder } from "./query-filter.js";
import { ChaukasValidationError } from "./validation/validation-error.js";

/** The query methods of a `ChaukasClient`. */
export type QueryMethods = Pick<ChaukasClient, "query" | "queryPage" | "capabilities" | "healthz">;

/** The query methods over `transport`; each rejects with FailedPrecondition without one. */
export function createQueryMethods(
  transport: Transport | undefined,
  defaults: EventDefaults,
  pageSize: number,
  callOptions: CallOptions,
): QueryMethods {
  const rpc = transport && createClient(ChaukasClientService, transport);
  const requireRpc = (method: string) => {
    if (rpc === undefined) {
      throw new ConnectError(
        `${method}() needs a transport: this client was created with an exporter only`,
        Code.FailedPrecondition,
      );
    }
    return rpc;
  };

  /** Checks the filter and options now, so a bad one throws at the call site. */
  const pager = (filter: EventFilter = {}, page: QueryPageOptions = {}) => {
    const queryFilter = toQueryFilter(filter, defaults);
    const size = page.pageSize === undefined ? pageSize : checkPageSize(page.pageSize);
    const orderByTime = toSortOrder(page.order);
    return async (pageToken = page.pageToken ?? ""): Promise<QueryPage> => {
      const { response } = await requireRpc("query").queryEvents(
        { query: { filter: queryFilter, pageSize: size, pageToken, orderByTime } },
        { ...callOptions, signal: page.signal } as CallOptions,
      );
      return { events: response?.events ?? [], nextPageToken: response?.nextPageToken ?? "" };
    };
  };

  let capabilitiesPromise: Promise<Capabilities> | undefined;

  return {
    query(filter, queryOptions) {
      const fetchPage = pager(filter, queryOptions);
      return {
        async *[Symbol.asyncIterator]() {
          let pageToken = "";
          do {
            const page = await fetchPage(pageToken);
            yield* page.events;
            pageToken = page.nextPageToken;
          } while (pageToken !== "");
        },
      };
    },

    async queryPage(filter, pageOptions) {
      return pager(filter, pageOptions)();
    },

    capabilities() {
      if (capabilitiesPromise === undefined) {
        const pending = (async () =>
          (await requireRpc("capabilities").getCapabilities({}, callOptions)).capabilities ??
          create(CapabilitiesSchema))();
        capabilitiesPromise = pending;
        // Only a success is cached: a failed call is tried again next time.
        pending.catch(() => {
          if (capabilitiesPromise === pending) capabilitiesPromise = undefined;
        });
      }
      return capabilitiesPromise;
    },

    async healthz() {
      await requireRpc("healthz").healthz({}, callOptions);
    },
  };
}

/** `pageSize` checked: a positive 32-bit integer. */
export function checkPageSize(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2 ** 31 - 1) {
    throw new ChaukasValidationError("pageSize", "expected a positive integer");
  }
  return value as number;
}
