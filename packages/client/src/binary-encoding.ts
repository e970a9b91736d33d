/**
 * `@chaukas/client/binary-encoding`: the generated exact-size encoder of events
 * (`encodeEventList`, from `scripts/protoc-gen-binary-encoder.ts`), byte-identical to protobuf-es
 * `toBinary(EventSchema, event)` and about half its time. A subpath of its own because the
 * generated code is large: `createNodeTransport` attaches it (as `EventExporter.encodeEvents`),
 * while browser bundles, which never import this subpath, stay on `toBinary`.
 *
 * @module binary-encoding
 */
export { encodeEventList } from "./wire/gen/chaukas/spec/common/v1/events_binary.js";
