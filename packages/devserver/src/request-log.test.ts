import { describe, expect, it } from "vitest";
import { createRequestLog } from "./request-log.js";

describe("createRequestLog", () => {
  it("logs one line per refused request, at most `lines` per window, and reports the rest later", () => {
    const lines: string[] = [];
    let now = 0;
    const log = createRequestLog({ info: (line) => lines.push(line), error: () => {} }, () => now, {
      lines: 2,
      windowMs: 1000,
    });
    log.refused("GET /a → 404");
    log.refused("GET /b → 404");
    log.refused("GET /c → 404");
    log.refused("GET /d → 404");
    expect(lines).toEqual(["refused GET /a → 404", "refused GET /b → 404"]);
    now = 999;
    log.refused("GET /e → 404");
    expect(lines).toHaveLength(2);
    now = 1000;
    log.refused("GET /f → 404");
    log.refused("GET /g → 404");
    expect(lines.slice(2)).toEqual([
      "refused GET /f → 404 (3 more refused requests not logged before this)",
      "refused GET /g → 404",
    ]);
  });
});
