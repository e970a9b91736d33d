/**
 * Every builder, by name, as a function of the runtime and the parent span; and a scope's
 * methods made from them. The client's own builders (parent = the active span) and every span
 * handle's (parent = its span) are both made here.
 */

import { POINT_BUILDERS } from "./point-builders.js";
import type { Parent, ScopeRuntime } from "./scope-runtime.js";
import type { ChaukasScope } from "./scope-types.js";
import { SPAN_STARTS } from "./span-starts.js";

/** A scope method as a function of the runtime and the parent: `(runtime, parent, ...args)`. */
type Builder<Method> = Method extends (...args: infer Args) => infer Result
  ? (runtime: ScopeRuntime, parent: Parent, ...args: Args) => Result
  : never;

/**
 * The builders. The mapped type makes a builder declared on `ChaukasScope` but implemented
 * nowhere (or with another signature) a compile error here.
 */
const BUILDERS: { readonly [Name in keyof ChaukasScope]: Builder<ChaukasScope[Name]> } = {
  ...SPAN_STARTS,
  ...POINT_BUILDERS,
};

/** The names of every builder, as span handles need them for their getters. */
export const BUILDER_NAMES = Object.keys(BUILDERS) as readonly (keyof ChaukasScope)[];

type AnyBuilder = (runtime: ScopeRuntime, parent: Parent, a: unknown, b: unknown) => unknown;

/**
 * The client's own methods: each builder as a closure over the runtime and the parent it reads
 * on every call (`getParent`: the active span), so they work detached. No builder takes more
 * than two arguments.
 */
export function scopeMethods(runtime: ScopeRuntime, getParent: () => Parent): ChaukasScope {
  const scope: Partial<Record<keyof ChaukasScope, unknown>> = {};
  for (const name of BUILDER_NAMES) {
    const build = BUILDERS[name] as AnyBuilder;
    scope[name] = (a: unknown, b: unknown) => build(runtime, getParent(), a, b);
  }
  return scope as ChaukasScope;
}

/**
 * A span handle's methods: each builder bound to the runtime and the handle's own span. The span
 * never changes, so there is nothing to read per call; bound functions work detached too.
 */
export function boundScopeMethods(runtime: ScopeRuntime, parent: Parent): ChaukasScope {
  const scope: Partial<Record<keyof ChaukasScope, unknown>> = {};
  for (const name of BUILDER_NAMES) {
    scope[name] = (BUILDERS[name] as AnyBuilder).bind(undefined, runtime, parent);
  }
  return scope as ChaukasScope;
}
