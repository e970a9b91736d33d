/** Human units for the table; results.json keeps the raw numbers. */
export const formatNs = (ns: number) =>
  ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
export const formatRate = (perSecond: number) => `${(perSecond / 1000).toFixed(1)}k ev/s`;
export const formatKb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
export const formatMb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
export const formatMs = (ms: number) => `${ms.toFixed(1)} ms`;
export const formatRatio = (ratio: number) => `${ratio.toFixed(2)}×`;
