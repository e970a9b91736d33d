/**
 * W3C Baggage (https://www.w3.org/TR/baggage/): reading the one entry Chaukas carries
 * (`chaukas.session_id`) from a header that came over the network, and writing it beside the
 * entries other tools put there.
 */

/** The baggage key that carries the caller's Chaukas session id. */
export const SESSION_BAGGAGE_KEY = "chaukas.session_id";

/** The W3C limits a receiver may enforce: a header past them is ignored whole. */
export const BAGGAGE_LIMITS = { maxBytes: 8192, maxMembers: 180 } as const;

/** The longest session id taken from a caller, in characters. */
export const MAX_REMOTE_SESSION_ID_LENGTH = 256;

// A W3C baggage key is an RFC 7230 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~\dA-Za-z]+$/;
// What a session id may be once decoded: printable ASCII, not blank.
const SESSION_ID = /^(?! *$)[\x20-\x7e]+$/;

/**
 * The session id in a `baggage` header value, or `undefined`: when absent, when the header is
 * over the W3C limits, or when the entry is not a well-formed, printable id of at most
 * `MAX_REMOTE_SESSION_ID_LENGTH` characters. Never throws.
 */
export function sessionIdFromBaggage(header: string): string | undefined {
  if (header.length > BAGGAGE_LIMITS.maxBytes) return undefined;
  const members = header.split(",");
  if (members.length > BAGGAGE_LIMITS.maxMembers) return undefined;
  for (const member of members) {
    const [pair = ""] = member.split(";", 1);
    const equals = pair.indexOf("=");
    if (equals < 0 || pair.slice(0, equals).trim() !== SESSION_BAGGAGE_KEY) continue;
    const value = decode(pair.slice(equals + 1).trim());
    return value !== undefined &&
      value.length <= MAX_REMOTE_SESSION_ID_LENGTH &&
      SESSION_ID.test(value)
      ? value
      : undefined;
  }
  return undefined;
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * `existing` baggage with the session entry set to `sessionId`: other members are kept as they
 * were, in order, and an earlier session entry is replaced. Empty members are left out.
 */
export function withSessionBaggage(existing: string | undefined, sessionId: string): string {
  const kept = (existing ?? "").split(",").filter((member) => {
    const trimmed = member.trim();
    if (trimmed === "") return false;
    const key = trimmed.slice(0, Math.max(0, trimmed.indexOf("="))).trim();
    return key !== SESSION_BAGGAGE_KEY && (key === "" || TOKEN.test(key));
  });
  return [
    ...kept.map((member) => member.trim()),
    `${SESSION_BAGGAGE_KEY}=${encodeURIComponent(sessionId)}`,
  ].join(",");
}
