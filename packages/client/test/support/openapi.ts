// The spec's OpenAPI document (proto/openapi-public.yaml, copied unchanged from chaukas-spec) as
// a JSON-Schema validator, for tests that hold JSON to it: the mapping's, the devserver's routes'.
import { readFileSync } from "node:fs";
import type { JsonObject } from "@bufbuild/protobuf";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const OPENAPI_PATH = new URL("../../../../proto/openapi-public.yaml", import.meta.url);

/** The document, parsed. */
export const openapi = parse(readFileSync(OPENAPI_PATH, "utf8")) as {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonObject> };
};

/**
 * The document's schemas are compiled where they sit, so their `$ref: '#/components/schemas/…'`
 * resolve inside it. OpenAPI's `discriminator` is an annotation here; the `oneOf` it annotates is
 * validated as JSON Schema defines it (exactly one branch matches), which is stricter than
 * reading `kind` alone.
 */
const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
addFormats.default(ajv);
ajv.addVocabulary(["openapi", "info", "servers", "paths", "components", "discriminator"]);
ajv.addSchema(openapi as object, "openapi-public.yaml");

/** The validator of `#/components/schemas/<name>` ("Event", "EventBatch", "QueryResponse", …). */
export function schemaValidator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`openapi-public.yaml#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`openapi-public.yaml has no schema ${name}`);
  return validate;
}

/** The validation errors of `json` against the schema `name`: [] when it conforms. */
export function schemaErrors(name: string, json: unknown): unknown[] {
  const validate = schemaValidator(name);
  return validate(json) ? [] : [...(validate.errors ?? [])];
}
