/** `@chaukas/client/redact`: a redacted copy of an event (mask, hash or drop at field paths). */
import { clone, create, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { type Event, EventSchema, RedactionInfoSchema } from "@chaukas/spec/common/v1";
import { sha256Hex } from "./sha256.js";
import { childPath, type PathSegment, parseFieldPath } from "./validation/field-path.js";

/** How `redact` replaces a value. */
export type RedactionMethod = "mask" | "hash" | "drop";

/** Options of `redact()`. */
export interface RedactOptions {
  /** Default: "mask". */
  readonly method?: RedactionMethod;
  /** What replaces masked values. Default: `REDACTION_DEFAULTS.mask` ("[REDACTED]"). */
  readonly mask?: string;
  /**
   * Salt for "hash", prepended to the value before hashing so low-entropy values (emails,
   * phone numbers) cannot be found by hashing guesses; its `id` goes to
   * `RedactionInfo.salt_id`, never the value. Default: no salt.
   */
  readonly salt?: { readonly id: string; readonly value: string };
}

/** Defaults of `redact()`. */
export const REDACTION_DEFAULTS = {
  method: "mask",
  mask: "[REDACTED]",
} as const satisfies Required<Pick<RedactOptions, "method" | "mask">>;

/** One step of a parsed redaction path: a key, a list index, or a wildcard. */
type Segment = PathSegment;

const STRUCT = "google.protobuf.Struct";

/**
 * Returns a redacted copy of `event` (the original is not changed) with `RedactionInfo`
 * filled: `fields` lists the concrete paths that were redacted, `method` the method.
 * Meant for `beforeSend`: `beforeSend: (e) => redact(e, ["tool_call.arguments.email"])`.
 *
 * Paths use proto field names down to a `Struct`, then JSON keys inside it:
 * `message.text`, `tool_call.arguments.user.email`, `llm_invocation.request.messages[*].content`,
 * `metadata["x-api-key"]`, `tags[0]`. `*` matches every key, `[*]` every array element.
 * A path that does not exist in this event (another content case, a missing key) is
 * skipped, so one list of paths can serve every event type.
 *
 * Methods: "mask" replaces the value with the mask string; "hash" with `sha256:<hex>` of
 * the value (of a string itself, of anything else its JSON text); "drop" removes an object
 * key, sets an array element to null, or clears a proto field. A whole Struct or message
 * field (`tool_call.arguments`) is cleared by "mask" and "drop", and becomes
 * `{ sha256: <hex of its JSON> }` with "hash" (Struct fields only).
 * Throws `ChaukasValidationError` for a path that cannot be parsed.
 */
export async function redact(
  event: Event,
  paths: readonly string[],
  options: RedactOptions = {},
): Promise<Event> {
  const method = options.method ?? REDACTION_DEFAULTS.method;
  const mask = options.mask ?? REDACTION_DEFAULTS.mask;
  const parsed = paths.map((p) => ({ path: p, segments: parsePath(p) }));
  const copy = clone(EventSchema, event);
  const hits: Hit[] = [];
  for (const { segments } of parsed) {
    collect(EventSchema, copy as unknown as Record<string, unknown>, segments, "", hits);
  }
  if (hits.length === 0) {
    return copy;
  }
  const salt = options.salt?.value ?? "";
  for (const hit of hits) {
    hit.replace(await replacement(hit.value, method, mask, salt, hit.kind));
  }
  const previous = copy.redaction;
  const fields = [...(previous?.fields ?? []), ...hits.map((h) => h.path)];
  const methods = new Set((previous?.method ?? "").split(",").filter((m) => m !== ""));
  methods.add(method);
  copy.redaction = create(RedactionInfoSchema, {
    fields,
    method: [...methods].join(","),
    saltId: options.salt?.id ?? previous?.saltId ?? "",
  });
  return copy;
}

/** A value found at a path, and how to put its replacement back. */
interface Hit {
  readonly path: string;
  readonly value: unknown;
  /** "json": inside a Struct; "string"/"other": a proto field; "struct": a whole Struct. */
  readonly kind: "json" | "string" | "struct" | "other";
  replace(value: unknown): void;
}

const DROP = Symbol("drop");

async function replacement(
  value: unknown,
  method: RedactionMethod,
  mask: string,
  salt: string,
  kind: Hit["kind"],
): Promise<unknown> {
  if (method === "drop") {
    return DROP;
  }
  if (method === "mask") {
    return kind === "json" || kind === "string" ? mask : DROP;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const digest = await sha256Hex(salt + text);
  if (kind === "struct") {
    return { sha256: digest };
  }
  return kind === "json" || kind === "string" ? `sha256:${digest}` : DROP;
}

function collect(
  desc: DescMessage,
  message: Record<string, unknown>,
  segments: readonly Segment[],
  path: string,
  hits: Hit[],
): void {
  const [head, ...rest] = segments;
  if (head === undefined || !("key" in head)) {
    return;
  }
  const field = desc.fields.find((f) => f.name === head.key);
  if (field === undefined) {
    return;
  }
  const fieldPath = childPath(path, field.name);
  let holder: Record<string, unknown> = message;
  let slot = field.localName;
  if (field.oneof !== undefined) {
    const oneof = message[field.oneof.localName] as { case?: string; value?: unknown };
    if (oneof.case !== field.localName) {
      return;
    }
    holder = oneof as Record<string, unknown>;
    slot = "value";
  }
  const value = holder[slot];
  if (value === undefined) {
    return;
  }
  const clear = (replacement: unknown) => {
    holder[slot] = replacement === DROP ? emptyValue(field, holder, slot) : replacement;
  };
  if (field.fieldKind === "message" && field.message.typeName === STRUCT) {
    if (rest.length === 0) {
      hits.push({ path: fieldPath, value, kind: "struct", replace: clear });
    } else {
      collectJson(value as JsonValue, rest, fieldPath, hits);
    }
    return;
  }
  if (field.fieldKind === "message") {
    if (rest.length === 0) {
      hits.push({ path: fieldPath, value, kind: "other", replace: clear });
    } else {
      collect(field.message, value as Record<string, unknown>, rest, fieldPath, hits);
    }
    return;
  }
  if (field.fieldKind === "list" && field.listKind === "scalar" && rest.length === 1) {
    const list = value as unknown[];
    const [index] = rest;
    const indices =
      index !== undefined && "any" in index && index.any === "index"
        ? list.map((_, i) => i)
        : index !== undefined && "index" in index && index.index < list.length
          ? [index.index]
          : [];
    for (const i of indices) {
      hits.push({
        path: childPath(fieldPath, i),
        value: list[i],
        kind: typeof list[i] === "string" ? "string" : "other",
        replace: (r) => {
          list[i] = r === DROP ? "" : r;
        },
      });
    }
    return;
  }
  if (rest.length === 0) {
    hits.push({
      path: fieldPath,
      value,
      kind: typeof value === "string" ? "string" : "other",
      replace: clear,
    });
  }
}

function emptyValue(
  field: DescMessage["fields"][number],
  holder: Record<string, unknown>,
  slot: string,
): unknown {
  if (field.oneof !== undefined) {
    // Clearing a oneof member would change the content case; keep the case, empty value.
    const desc = field.fieldKind === "message" ? field.message : undefined;
    return desc === undefined || desc.typeName === STRUCT ? {} : create(desc);
  }
  const current = holder[slot];
  if (field.fieldKind === "list") return [];
  if (field.fieldKind === "message") return undefined;
  if (typeof current === "string") return "";
  if (typeof current === "boolean") return false;
  if (typeof current === "bigint") return 0n;
  return 0;
}

function collectJson(value: JsonValue, segments: readonly Segment[], path: string, hits: Hit[]) {
  const [head, ...rest] = segments;
  if (head === undefined || value === null || typeof value !== "object") {
    return;
  }
  const visit = (container: Record<string, JsonValue> | JsonValue[], key: string | number) => {
    const child = (container as Record<string, JsonValue>)[key as string];
    if (child === undefined) {
      return;
    }
    const childPathText = childPath(path, key);
    if (rest.length > 0) {
      collectJson(child, rest, childPathText, hits);
      return;
    }
    hits.push({
      path: childPathText,
      value: child,
      kind: "json",
      replace: (r) => {
        if (r !== DROP) {
          (container as Record<string, unknown>)[key as string] = r;
        } else if (Array.isArray(container)) {
          container[key as number] = null;
        } else {
          delete container[key as string];
        }
      },
    });
  };
  if (Array.isArray(value)) {
    if ("index" in head) {
      visit(value, head.index);
    } else if ("any" in head && head.any === "index") {
      value.forEach((_, i) => {
        visit(value, i);
      });
    }
    return;
  }
  if ("key" in head) {
    if (Object.hasOwn(value, head.key)) {
      visit(value, head.key);
    }
  } else if ("any" in head && head.any === "key") {
    for (const key of Object.keys(value)) {
      visit(value, key);
    }
  }
}

/** Parses `a.b[0]["c d"].*[*]` into segments (the syntax of `formatFieldPath`); throws on anything else. */
function parsePath(path: string): Segment[] {
  return parseFieldPath(path, "redaction.fields");
}
