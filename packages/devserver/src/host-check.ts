import { refuseAccess } from "./access-refusal.js";
import { canonicalAddress, hostnameOf, isLoopbackHostname } from "./host-names.js";
import type { NodeHandler } from "./rpc-handler.js";

/** An `allowedHosts` entry that allows every host: no protection against DNS rebinding. */
export const ANY_HOST = "*";

/** Which names a request may be addressed to (its `Host`, or `:authority` in HTTP/2). */
export interface HostPolicy {
  /** The host the server was asked to bind, as given ("127.0.0.1", "0.0.0.0", "devbox.lan"). */
  readonly bindHost: string;
  /** Entries of `parseAllowedHosts`. */
  readonly allowedHosts: readonly string[];
}

/**
 * Checks and normalises `allowedHosts`: a host name or IP address (a port is ignored, as it is
 * in the check), `.example.test` for that domain and every name under it, or `*` for any.
 */
export function parseAllowedHosts(values: readonly string[]): readonly string[] {
  return values.map((value, index) => {
    if (value === ANY_HOST) return ANY_HOST;
    const domain = value.startsWith(".");
    const hostname = hostnameOf(domain ? value.slice(1) : value);
    if (hostname === undefined) {
      throw new TypeError(
        `allowedHosts[${index}] "${value}" is not a host name: give the name alone, as in "devserver.internal", ".internal" or "10.0.0.5"`,
      );
    }
    return domain ? `.${hostname}` : hostname;
  });
}

/**
 * Whether a request addressed to `hostname` (from `hostnameOf`) and received on the local
 * address `localAddress` may be served. Loopback names are always allowed; so are the
 * address the server was bound to and the address the connection came in on (for a server
 * bound to every interface, the one the client dialled). Any other name must be allowed
 * explicitly: a page whose DNS name was re-pointed at this machine (DNS rebinding) still
 * sends its own name, never one of these.
 */
export function isHostAllowed(
  hostname: string,
  localAddress: string | undefined,
  policy: HostPolicy,
): boolean {
  if (isLoopbackHostname(hostname)) return true;
  const name = canonicalAddress(hostname);
  const bindHost = hostnameOf(policy.bindHost);
  if (bindHost !== undefined && name === canonicalAddress(bindHost)) return true;
  if (localAddress !== undefined && name === canonicalAddress(localAddress)) return true;
  return policy.allowedHosts.some(
    (allowed) =>
      allowed === ANY_HOST ||
      allowed === hostname ||
      (allowed.startsWith(".") && (hostname === allowed.slice(1) || hostname.endsWith(allowed))),
  );
}

/**
 * Serves only requests addressed to an allowed host (see `isHostAllowed`), over HTTP/1.1
 * (`Host`) and HTTP/2 (`:authority`, and `Host` too when a client sends both); refuses the rest
 * with a message naming the host and the option that allows it. A request without either is
 * refused: every HTTP/1.1 and HTTP/2 client sends one.
 */
export function withHostCheck(
  handler: NodeHandler,
  policy: HostPolicy,
  /** Told the `Host` / `:authority` value of each refused request ("" when it had none). */
  onRefused: (host: string) => void = () => {},
): NodeHandler {
  return (req, res) => {
    const authorities = [req.headers[":authority"], req.headers.host].filter(
      (value): value is string => typeof value === "string",
    );
    const localAddress = req.socket.localAddress;
    const refusedAuthority =
      authorities.length === 0
        ? ""
        : authorities.find((authority) => {
            const hostname = hostnameOf(authority);
            return hostname === undefined || !isHostAllowed(hostname, localAddress, policy);
          });
    if (refusedAuthority === undefined) {
      handler(req, res);
      return;
    }
    onRefused(refusedAuthority);
    refuseAccess(req, res, hostRefusedMessage(refusedAuthority));
  };
}

function hostRefusedMessage(authority: string): string {
  if (authority === "") {
    return "Blocked request: it names no host (no Host header or :authority). This Chaukas devserver answers only requests addressed to a host it allows.";
  }
  const hostname = hostnameOf(authority);
  const allow =
    hostname === undefined
      ? ""
      : ` To allow it, restart the devserver with --allowed-host ${hostname} (allowedHosts: ["${hostname}"] in startDevServer).`;
  return (
    `Blocked request: the host "${authority}" is not allowed. This Chaukas devserver answers only ` +
    "requests addressed to a loopback name (localhost, 127.0.0.1, [::1]), the address it listens on, " +
    `or a host allowed with --allowed-host, so that a website cannot reach it through DNS rebinding.${allow}`
  );
}
