// SHA-256 in hex through WebCrypto, for the integrity chain and redaction's hashes.

const encoder = new TextEncoder();

/** Lowercase hex SHA-256 with WebCrypto, which Node, browsers and edge runtimes all have. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  let out = "";
  for (const b of new Uint8Array(digest)) {
    out += b.toString(16).padStart(2, "0");
  }
  return out;
}
