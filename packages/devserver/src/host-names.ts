import { BlockList, isIP } from "node:net";

/** Every loopback address: 127.0.0.0/8 and ::1 (IPv4-mapped forms included). */
const LOOPBACK_ADDRESSES = (() => {
  const list = new BlockList();
  list.addSubnet("127.0.0.0", 8, "ipv4");
  list.addAddress("::1", "ipv6");
  return list;
})();

/**
 * The host name of a `Host` header or HTTP/2 `:authority` ("Example.test:8080" → "example.test",
 * "[::1]:50051" → "::1"): lower case, without port, brackets or a trailing dot. `undefined` when
 * the value is not a bare authority (it has a scheme, a path, user info, or is empty).
 */
export function hostnameOf(authority: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^\s:/?#@[\]]+))(?::\d*)?$/i.exec(authority.trim());
  const name = (match?.[1] ?? match?.[2])?.toLowerCase().replace(/\.$/, "");
  if (name === undefined || name === "") return undefined;
  // Brackets hold only IPv6; an IPv6 address outside them would have been split at a colon.
  if (match?.[1] !== undefined && isIP(name) !== 6) return undefined;
  return name;
}

/** Whether `address` is an IP address on the loopback interface. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK_ADDRESSES.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Whether a browser can only reach `hostname` over loopback: a loopback address, `localhost`,
 * or a name under `.localhost`, which browsers resolve to loopback without asking DNS (RFC
 * 6761 §6.3), so no one else's DNS record can point it anywhere.
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || isLoopbackAddress(hostname);
}

/** The same address written the same way: lower case, an IPv4-mapped IPv6 as plain IPv4. */
export function canonicalAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped?.[1] ?? lower;
}
