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
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}
