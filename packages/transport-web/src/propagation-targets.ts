import { ChaukasValidationError } from "@chaukas/client";

/**
 * Where trace context may go: an origin (`"https://api.example.com"`, matched exactly), a URL
 * prefix (`"https://api.example.com/agent/"`, matched from the start of the URL, on the same
 * origin), or a RegExp tested against the full URL.
 */
export type PropagationTarget = string | RegExp;

/** Decides, per request URL, whether trace context may be sent there. */
export type PropagationMatcher = (url: URL) => boolean;

/**
 * The origin of the page (or web worker) this code runs in, or `undefined` outside browsers
 * (Node, Bun, Cloudflare Workers have no `location`; an opaque origin such as `file:` is "null").
 */
export function ownOrigin(): string | undefined {
  const origin = ownLocation()?.origin;
  return typeof origin === "string" && origin !== "null" ? origin : undefined;
}

/** `globalThis.location`, or `undefined` where reading it throws (Deno 1 without `--location`). */
export function ownLocation(): { readonly origin?: unknown; readonly href?: unknown } | undefined {
  try {
    return (globalThis as { location?: { origin?: unknown; href?: unknown } }).location;
  } catch {
    return undefined;
  }
}

/**
 * The matcher for `targets`, checked now so a typo fails at the call site
 * (`ChaukasValidationError` naming `propagateTo[i]`). Strings must be absolute http(s) URLs: a
 * bare host or a substring would match third parties (`"api.example.com"` is in
 * `"https://api.example.com.evil.test/"`).
 */
export function createPropagationMatcher(
  targets: readonly PropagationTarget[],
): PropagationMatcher {
  if (!Array.isArray(targets)) {
    throw new ChaukasValidationError(
      "propagateTo",
      "expected an array of origins, URL prefixes or RegExps",
    );
  }
  const matchers = targets.map((target, index) => matcherOf(target, `propagateTo[${index}]`));
  return (url) => matchers.some((matches) => matches(url));
}

function matcherOf(target: PropagationTarget, field: string): PropagationMatcher {
  if (target instanceof RegExp) {
    // Without `g` and `y`, `test` keeps no `lastIndex` between calls.
    const pattern = new RegExp(target.source, target.flags.replace(/[gy]/g, ""));
    return (url) => pattern.test(url.href);
  }
  if (typeof target !== "string") {
    throw new ChaukasValidationError(field, "expected an origin, a URL prefix or a RegExp");
  }
  const parsed = parseUrl(target);
  if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw new ChaukasValidationError(
      field,
      `expected an absolute http(s) origin or URL prefix, e.g. "https://api.example.com"; got ${JSON.stringify(target)}`,
    );
  }
  const { origin, href } = parsed;
  // Written as an origin alone (a trailing "/" at most): that origin exactly, any path.
  if (href === `${origin}/` && parsed.username === "" && parsed.password === "") {
    return (url) => url.origin === origin;
  }
  return (url) => url.origin === origin && url.href.startsWith(href);
}

/** `input` as an absolute URL (relative to `base` when given), or `undefined`. Never throws. */
export function parseUrl(input: string, base?: string): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}
