import type { FlushableClient } from "./flushable-client.js";

/**
 * On `visibilitychange` → hidden and on `pagehide`, flushes the client with fetch keepalive so
 * events queued when a tab is hidden, closed or navigated away still reach the backend.
 * Hidden comes first and is the last event mobile browsers reliably fire; `pagehide` covers
 * desktop navigation without a visibility change. Both firing is harmless: the second flush
 * finds the queue empty. Unload/beforeunload are not used: they break the back/forward cache.
 *
 * Returns a function removing the listeners. Where there is no `document` (edge runtimes,
 * workers), it registers nothing and returns a no-op.
 */
export function registerPageLifecycleFlush(client: FlushableClient): () => void {
  const doc = (globalThis as { document?: Document }).document;
  const win = globalThis as unknown as Partial<Window>;
  if (typeof doc?.addEventListener !== "function" || typeof win.addEventListener !== "function") {
    return () => {};
  }
  // flush() never rejects; nothing to await while the page goes away.
  const flush = () => void client.flush({ keepalive: true });
  const onVisibilityChange = () => doc.visibilityState === "hidden" && flush();
  doc.addEventListener("visibilitychange", onVisibilityChange);
  win.addEventListener("pagehide", flush);
  return () => {
    doc.removeEventListener("visibilitychange", onVisibilityChange);
    win.removeEventListener?.("pagehide", flush);
  };
}
