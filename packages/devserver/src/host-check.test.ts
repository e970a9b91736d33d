import { describe, expect, it } from "vitest";
import { isHostAllowed, parseAllowedHosts } from "./host-check.js";

const loopbackServer = { bindHost: "127.0.0.1", allowedHosts: [] };

describe("isHostAllowed", () => {
  it("allows loopback names on a default server and nothing else", () => {
    for (const hostname of ["localhost", "127.0.0.1", "::1", "app.localhost"]) {
      expect(isHostAllowed(hostname, "127.0.0.1", loopbackServer)).toBe(true);
    }
    for (const hostname of ["evil.example", "rebind.test", "10.0.0.5", "0.0.0.0"]) {
      expect(isHostAllowed(hostname, "127.0.0.1", loopbackServer)).toBe(false);
    }
  });

  it("allows the address the server was bound to, as a name or an IP", () => {
    expect(isHostAllowed("10.0.0.5", "10.0.0.5", { bindHost: "10.0.0.5", allowedHosts: [] })).toBe(
      true,
    );
    expect(
      isHostAllowed("devbox.lan", "10.0.0.5", { bindHost: "DevBox.lan", allowedHosts: [] }),
    ).toBe(true);
    expect(isHostAllowed("fd00::5", "fd00::5", { bindHost: "[fd00::5]", allowedHosts: [] })).toBe(
      true,
    );
  });

  it("on every interface, allows the address the client dialled but not another name for it", () => {
    const everywhere = { bindHost: "0.0.0.0", allowedHosts: [] };
    expect(isHostAllowed("192.168.1.20", "::ffff:192.168.1.20", everywhere)).toBe(true);
    expect(isHostAllowed("192.168.1.21", "::ffff:192.168.1.20", everywhere)).toBe(false);
    expect(isHostAllowed("devbox.lan", "192.168.1.20", everywhere)).toBe(false);
  });

  it("allows listed names, a leading dot for a domain and its subdomains, * for any", () => {
    const policy = {
      bindHost: "0.0.0.0",
      allowedHosts: parseAllowedHosts(["devserver", ".corp.test"]),
    };
    expect(isHostAllowed("devserver", "172.17.0.2", policy)).toBe(true);
    expect(isHostAllowed("corp.test", "172.17.0.2", policy)).toBe(true);
    expect(isHostAllowed("a.b.corp.test", "172.17.0.2", policy)).toBe(true);
    expect(isHostAllowed("evilcorp.test", "172.17.0.2", policy)).toBe(false);
    expect(isHostAllowed("devserver.evil", "172.17.0.2", policy)).toBe(false);
    expect(
      isHostAllowed("anything.example", "127.0.0.1", {
        bindHost: "127.0.0.1",
        allowedHosts: ["*"],
      }),
    ).toBe(true);
  });
});

describe("parseAllowedHosts", () => {
  it("normalises names and drops ports", () => {
    expect(parseAllowedHosts(["DevServer:50051", ".Corp.Test", "[fd00::5]", "*"])).toEqual([
      "devserver",
      ".corp.test",
      "fd00::5",
      "*",
    ]);
  });

  it("names the entry that is not a host", () => {
    expect(() => parseAllowedHosts(["ok.test", "http://devserver:50051"])).toThrow(
      /allowedHosts\[1\] "http:\/\/devserver:50051" is not a host name/,
    );
    expect(() => parseAllowedHosts([""])).toThrow(/allowedHosts\[0\]/);
  });
});
