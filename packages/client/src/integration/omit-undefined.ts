/**
 * The builders' options are exact (`exactOptionalPropertyTypes`): an absent field takes its
 * default, and `undefined` is no value. Frameworks leave what they do not know `undefined` (a
 * model setting, a token count), so integrations drop those fields before calling a builder.
 */

/**
 * `fields` without its `undefined` values, typed as the builder's options `T`:
 * ```ts
 * scope.modelInvocationStart(omitUndefined<ModelInvocationStart>({ provider, model, temperature }));
 * ```
 * A field `T` requires must still be given (the builder refuses it when missing).
 */
export function omitUndefined<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  // A loop, not fromEntries(entries().filter()): it runs on every provider call's path, where
  // the two arrays per entry it would allocate are a visible share of the wrapper's cost.
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const value = (fields as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === "__proto__")
      Object.defineProperty(kept, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else kept[key] = value;
  }
  return kept as T;
}
