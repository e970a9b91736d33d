import { ChaukasValidationError } from "@chaukas/client";
import { describe, expect, it } from "vitest";
import { readChaukasEnv } from "./env-config.js";

describe("readChaukasEnv", () => {
  it("reads every variable", () => {
    expect(
      readChaukasEnv({
        CHAUKAS_ENDPOINT: "https://ingest.example.com:8443",
        CHAUKAS_API_KEY: "ck_live_123",
        CHAUKAS_TENANT_ID: "acme",
        CHAUKAS_PROJECT_ID: "support-bot",
        CHAUKAS_PROTOCOL: "grpc-web",
        CHAUKAS_BATCH_SIZE: "250",
        CHAUKAS_MAX_BATCH_BYTES: "131072",
        CHAUKAS_FLUSH_INTERVAL: "2.5",
        CHAUKAS_TIMEOUT: "30.0",
        CHAUKAS_BRANCH: "release/2.1",
        CHAUKAS_TAGS: "production,agent-monitoring",
        CHAUKAS_OUTPUT_MODE: "file",
        CHAUKAS_OUTPUT_FILE: "/tmp/events.jsonl",
        CHAUKAS_OUTBOX_DIR: "/var/lib/app/chaukas",
      }),
    ).toEqual({
      endpoint: "https://ingest.example.com:8443",
      apiKey: "ck_live_123",
      tenantId: "acme",
      projectId: "support-bot",
      protocol: "grpc-web",
      batchSize: 250,
      maxBatchBytes: 131072,
      flushIntervalMs: 2500,
      timeoutMs: 30_000,
      branch: "release/2.1",
      tags: ["production", "agent-monitoring"],
      outputMode: "file",
      outputFile: "/tmp/events.jsonl",
      outboxDir: "/var/lib/app/chaukas",
    });
  });

  it.each([
    ["5", 5000],
    ["5.0", 5000],
    ["0.25", 250],
    [".5", 500],
    ["1.", 1000],
    ["0.0004", undefined],
    ["0.0006", 1],
  ])("reads CHAUKAS_FLUSH_INTERVAL=%s as seconds, as the Python SDK does", (value, ms) => {
    if (ms === undefined) {
      expect(() => readChaukasEnv({ CHAUKAS_FLUSH_INTERVAL: value })).toThrow(
        ChaukasValidationError,
      );
    } else {
      expect(readChaukasEnv({ CHAUKAS_FLUSH_INTERVAL: value })).toEqual({ flushIntervalMs: ms });
    }
  });

  it("splits CHAUKAS_TAGS at commas, trimming each tag and dropping empty ones", () => {
    expect(readChaukasEnv({ CHAUKAS_TAGS: " prod , us-east-1,,canary " })).toEqual({
      tags: ["prod", "us-east-1", "canary"],
    });
    expect(readChaukasEnv({ CHAUKAS_TAGS: " , " })).toEqual({});
  });

  it("treats absent and blank variables alike and ignores unrelated ones", () => {
    expect(readChaukasEnv({ CHAUKAS_ENDPOINT: "  ", PATH: "/usr/bin" })).toEqual({});
  });

  it("accepts protocol and output mode in any case", () => {
    expect(readChaukasEnv({ CHAUKAS_PROTOCOL: "GRPC", CHAUKAS_OUTPUT_MODE: "Console" })).toEqual({
      protocol: "grpc",
      outputMode: "console",
    });
  });

  it.each([
    ["CHAUKAS_ENDPOINT", "localhost:50051", "http:// or https:// URL"],
    ["CHAUKAS_ENDPOINT", "ftp://example.com", "http:// or https:// URL"],
    ["CHAUKAS_PROTOCOL", "http2", "one of grpc, connect, grpc-web"],
    ["CHAUKAS_BATCH_SIZE", "0", "positive whole number of events"],
    ["CHAUKAS_BATCH_SIZE", "12.5", "positive whole number of events"],
    ["CHAUKAS_BATCH_SIZE", "lots", "positive whole number of events"],
    ["CHAUKAS_MAX_BATCH_BYTES", "256KB", "positive whole number of bytes"],
    ["CHAUKAS_FLUSH_INTERVAL", "5s", "positive number of seconds"],
    ["CHAUKAS_FLUSH_INTERVAL", "-1.5", "positive number of seconds"],
    ["CHAUKAS_FLUSH_INTERVAL", "0", "positive number of seconds"],
    ["CHAUKAS_FLUSH_INTERVAL", "1e3", "positive number of seconds"],
    ["CHAUKAS_TIMEOUT", "30s", "positive number of seconds"],
    ["CHAUKAS_OUTPUT_MODE", "stdout", "one of api, file, console"],
  ])("rejects %s=%s naming the variable and the expected form", (name, value, expected) => {
    let thrown: unknown;
    try {
      readChaukasEnv({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ChaukasValidationError);
    const error = thrown as ChaukasValidationError;
    expect(error.field).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toContain(expected);
  });

  it("never repeats a malformed value in the error (it may be a secret)", () => {
    expect(() => readChaukasEnv({ CHAUKAS_ENDPOINT: "s3cr3t-not-a-url" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("s3cr3t") }),
    );
  });
});
