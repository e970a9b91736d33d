import { ANY_ORIGIN, parseCorsOrigins, withCors } from "./cors.js";
import { ANY_HOST, parseAllowedHosts, withHostCheck } from "./host-check.js";
import { hostnameOf, isLoopbackAddress } from "./host-names.js";
import type { DevServerLogger } from "./options.js";
import type { NodeHandler } from "./rpc-handler.js";

/** Who may reach a server, from its options. */
export interface AccessPolicyOptions {
  /** The interface it listens on, as given. */
  readonly host: string;
  readonly apiKey: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
  readonly insecure: boolean;
  /** Receives the warnings for wide-open settings and one line per refused host or origin. */
  readonly logger: DevServerLogger;
}

/** How many distinct refused hosts and origins are logged; past that, refusals are silent. */
const MAX_LOGGED_REFUSALS = 100;

/**
 * Checks the options and returns the wrapper for the server's whole handler, so that every
 * route and protocol passes the same checks, outermost first: the `Host` check (against DNS
 * rebinding), then the `Origin` check and CORS. Throws for an entry that is not a host or an
 * origin, and for a non-loopback `host` without an API key unless `insecure` is set.
 */
export function createAccessPolicy(
  options: AccessPolicyOptions,
): (handler: NodeHandler) => NodeHandler {
  const corsOrigins = parseCorsOrigins(options.corsOrigins);
  const allowedHosts = parseAllowedHosts(options.allowedHosts);
  checkListenHost(options);
  const { logger } = options;
  if (corsOrigins.includes(ANY_ORIGIN)) {
    logger.error(
      'warning: CORS is open to every origin (--cors-origin "*"): any website open in a browser on this machine can read and write the events stored here',
    );
  }
  if (allowedHosts.includes(ANY_HOST)) {
    logger.error(
      'warning: the Host check is off (--allowed-host "*"): a website can reach this server through DNS rebinding',
    );
  }

  const logged = new Set<string>();
  const logOnce = (line: string) => {
    if (logged.has(line) || logged.size >= MAX_LOGGED_REFUSALS) return;
    logged.add(line);
    logger.error(`${line} (logged once)`);
  };
  const logRefusedOrigin = (origin: string) =>
    logOnce(`refused requests from origin "${origin}": --cors-origin ${origin} would allow it`);
  const logRefusedHost = (host: string) => {
    const hostname = hostnameOf(host);
    logOnce(
      hostname === undefined
        ? `refused requests addressed to "${host}": not a host name`
        : `refused requests addressed to host "${host}": --allowed-host ${hostname} would allow it`,
    );
  };
  return (handler) =>
    withHostCheck(
      withCors(handler, corsOrigins, logRefusedOrigin),
      { bindHost: options.host, allowedHosts },
      logRefusedHost,
    );
}

/**
 * Only loopback is safe without an API key: on any other interface, every device that can
 * reach it could read and write all events. `localhost` counts; other names do not, whatever
 * they resolve to today.
 */
function checkListenHost(options: AccessPolicyOptions): void {
  const hostname = hostnameOf(options.host) ?? options.host;
  if (hostname === "localhost" || isLoopbackAddress(hostname) || options.apiKey !== undefined) {
    return;
  }
  if (!options.insecure) {
    throw new Error(
      `refusing to listen on ${options.host} without an API key: it is not a loopback address, so every device that can reach it could read and write all stored events. Set an API key (--api-key KEY; apiKey in startDevServer), or pass --insecure (insecure: true) to serve it without one anyway.`,
    );
  }
  options.logger.error(
    `warning: listening on ${options.host} without an API key (--insecure): every device that can reach it can read and write all stored events`,
  );
}
