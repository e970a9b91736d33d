import { describe, expect, it } from "vitest";
import {
  canonicalAddress,
  hostnameOf,
  isLoopbackAddress,
  isLoopbackHostname,
} from "./host-names.js";

describe("hostnameOf", () => {
  it.each([
    ["localhost", "localhost"],
    ["Example.TEST:8080", "example.test"],
    ["127.0.0.1:50051", "127.0.0.1"],
    ["[::1]:50051", "::1"],
    ["[::1]", "::1"],
    ["devbox.lan.", "devbox.lan"],
    ["devbox:", "devbox"],
  ])("reads %j as %j", (authority, hostname) => {
    expect(hostnameOf(authority)).toBe(hostname);
  });

  it.each([
    "",
    "http://localhost",
    "localhost/path",
    "user@localhost",
    "localhost:80:80",
    "::1",
    "[not-ipv6]",
    "local host",
  ])("refuses %j, which is not a bare authority", (authority) => {
    expect(hostnameOf(authority)).toBeUndefined();
  });
});

describe("loopback", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])(
    "%s is a loopback address",
    (address) => {
      expect(isLoopbackAddress(address)).toBe(true);
    },
  );

  it.each(["0.0.0.0", "::", "10.0.0.5", "128.0.0.1", "::ffff:10.0.0.5", "localhost"])(
    "%s is not a loopback address",
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );

  it("counts localhost and names under .localhost as loopback names, nothing that only ends alike", () => {
    expect(isLoopbackHostname("localhost")).toBe(true);
    expect(isLoopbackHostname("app.localhost")).toBe(true);
    expect(isLoopbackHostname("127.0.0.1")).toBe(true);
    expect(isLoopbackHostname("evillocalhost")).toBe(false);
    expect(isLoopbackHostname("localhost.evil.test")).toBe(false);
    expect(isLoopbackHostname("0.0.0.0")).toBe(false);
  });

  it("writes an IPv4-mapped address as IPv4", () => {
    expect(canonicalAddress("::FFFF:10.0.0.5")).toBe("10.0.0.5");
    expect(canonicalAddress("FE80::1")).toBe("fe80::1");
  });
});
