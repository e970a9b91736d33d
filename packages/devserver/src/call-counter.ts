import { Code } from "@connectrpc/connect";

/** How a call ended: "ok", or a Connect code in snake case ("unavailable", "invalid_argument"). */
export type CallOutcome = "ok" | string;

/** Calls the server answered, by method name ("IngestEventBatch") and by outcome. */
export interface CallCounts {
  readonly total: number;
  readonly byMethod: Readonly<Record<string, number>>;
  readonly byCode: Readonly<Record<CallOutcome, number>>;
  /** `byMethodAndCode.IngestEventBatch.unavailable` */
  readonly byMethodAndCode: Readonly<Record<string, Readonly<Record<CallOutcome, number>>>>;
}

/** The outcome name of a Connect code, as the Connect protocol spells it on the wire. */
export function outcomeName(code: Code | undefined): CallOutcome {
  if (code === undefined) return "ok";
  const name = Code[code];
  // Code names are PascalCase ("ResourceExhausted"); the wire form is snake case.
  return name === undefined ? `code_${code}` : name.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}

/** Counts answered calls; the server records one entry per call, auth failures included. */
export function createCallCounter() {
  const byMethodAndCode = new Map<string, Map<CallOutcome, number>>();
  return {
    record(method: string, code: Code | undefined): void {
      const outcome = outcomeName(code);
      let perCode = byMethodAndCode.get(method);
      if (perCode === undefined) {
        perCode = new Map();
        byMethodAndCode.set(method, perCode);
      }
      perCode.set(outcome, (perCode.get(outcome) ?? 0) + 1);
    },
    snapshot(): CallCounts {
      let total = 0;
      const byMethod: Record<string, number> = {};
      const byCode: Record<string, number> = {};
      const nested: Record<string, Record<string, number>> = {};
      for (const [method, perCode] of byMethodAndCode) {
        nested[method] = {};
        for (const [outcome, n] of perCode) {
          total += n;
          byMethod[method] = (byMethod[method] ?? 0) + n;
          byCode[outcome] = (byCode[outcome] ?? 0) + n;
          nested[method][outcome] = n;
        }
      }
      return { total, byMethod, byCode, byMethodAndCode: nested };
    },
  };
}

export type CallCounter = ReturnType<typeof createCallCounter>;
