/**
 * `fields` without its `undefined` values: the builders' options are exact (an absent field
 * takes its default; `undefined` is not a value), and LangChain leaves unset values `undefined`.
 */
export function compact<T extends object>(fields: { [K in keyof T]?: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}
