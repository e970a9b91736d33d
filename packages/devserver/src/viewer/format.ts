/** "183 ms" below a second, "1.24 s" below a minute, "2 m 05 s" above. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, "0")} s`;
}

/** US dollars with enough digits for per-call model costs; "–" for none. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "–";
  return `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;
}

/** "1,234"; "–" for none. */
export function formatCount(n: number): string {
  return n === 0 ? "–" : n.toLocaleString("en-US");
}

/** Local date and time to the second: "2026-11-30 14:03:07". */
export function formatClock(ms: number): string {
  const at = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
