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
        CHAUKAS_FLUSH_INTERVAL: "2000",
        CHAUKAS_OUTPUT_MODE: "file",
        CHAUKAS_OUTPUT_FILE: "/tmp/events.jsonl",
      }),
    ).toEqual({
      endpoint: "https://ingest.example.com:8443",
      apiKey: "ck_live_123",
      tenantId: "acme",
      projectId: "support-bot",
      protocol: "grpc-web",
      batchSize: 250,
      flushIntervalMs: 2000,
      outputMode: "file",
      outputFile: "/tmp/events.jsonl",
    });
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
    ["CHAUKAS_FLUSH_INTERVAL", "5s", "positive whole number of milliseconds"],
    ["CHAUKAS_FLUSH_INTERVAL", "-100", "positive whole number of milliseconds"],
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
