import { createHash } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { type QueryFilter, QueryFilterSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";

/** Where the previous page ended: the last event's time and id, and what was asked. */
export interface PageCursor {
  /** "asc" or "desc": a token continues only the order it was issued for. */
  readonly order: "asc" | "desc";
  /** Hash of the filter the token was issued for. */
  readonly filter: string;
  /** Timestamp of the last event returned, in nanoseconds since the epoch. */
  readonly afterNanos: bigint;
  /** Id of the last event returned (ties on time are ordered by id). */
  readonly afterId: string;
}

interface TokenJson {
  v: 1;
  o: "asc" | "desc";
  f: string;
  t: string;
  id: string;
}

/**
 * A short, stable hash of a filter. The binary encoding of a message is deterministic here
 * (fields in number order, no maps), so equal filters hash equally.
 */
export function filterHash(filter: QueryFilter | undefined): string {
  const bytes = toBinary(QueryFilterSchema, filter ?? create(QueryFilterSchema));
  return createHash("sha256").update(bytes).digest("base64url").slice(0, 16);
}

/**
 * Opaque to clients: base64url of JSON. The cursor names the last event rather than an
 * offset, so events arriving between pages neither repeat nor skip older ones.
 */
export function encodePageToken(cursor: PageCursor): string {
  const json: TokenJson = {
    v: 1,
    o: cursor.order,
    f: cursor.filter,
    t: cursor.afterNanos.toString(),
    id: cursor.afterId,
  };
  return Buffer.from(JSON.stringify(json)).toString("base64url");
}

/** Decodes a token and checks it belongs to this filter and order; INVALID_ARGUMENT if not. */
export function decodePageToken(token: string, order: "asc" | "desc", filter: string): PageCursor {
  let json: Partial<TokenJson>;
  try {
    json = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<TokenJson>;
  } catch {
    throw invalidToken("it is not a token this server issued");
  }
  if (
    json === null ||
    typeof json !== "object" ||
    json.v !== 1 ||
    typeof json.t !== "string" ||
    !/^-?\d+$/.test(json.t) ||
    typeof json.id !== "string" ||
    (json.o !== "asc" && json.o !== "desc")
  ) {
    throw invalidToken("it is not a token this server issued");
  }
  if (json.f !== filter) {
    throw invalidToken("it was issued for a different filter");
  }
  if (json.o !== order) {
    throw invalidToken(`it was issued for order_by_time ${json.o}, not ${order}`);
  }
  return { order, filter, afterNanos: BigInt(json.t), afterId: json.id };
}

function invalidToken(reason: string): ConnectError {
  return new ConnectError(`query.page_token is invalid: ${reason}`, Code.InvalidArgument);
}
