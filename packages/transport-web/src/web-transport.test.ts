// Browsers stay on protobuf-es toBinary: the web transport carries no event encoder, so the
// generated one (@chaukas/client/binary-encoding) never reaches a page's bundle.
import { createConnectExporter } from "@chaukas/client";
import { expect, it } from "vitest";
import { createWebTransport } from "./web-transport.js";

it("gives the Connect exporter no encodeEvents (the processor then uses toBinary)", () => {
  const transport = createWebTransport({ baseUrl: "http://127.0.0.1:1" });
  expect("encodeEvents" in transport).toBe(false);
  expect(createConnectExporter(transport).encodeEvents).toBeUndefined();
});
