/**
 * `@chaukas/client/rest`: the public REST API of `openapi-public.yaml` as data. One mapping
 * between the spec's messages and the API's JSON (`toPublicJson`, `fromPublicJson`, the
 * `kind`-discriminated content union, enum names without prefix), the API's paths, and the
 * shapes of its ingest answers. Shared by the REST transport and `@chaukas/devserver`.
 *
 * @module rest
 */
export {
  PUBLIC_API_PATHS,
  type PublicApiError,
  type PublicIngestResult,
  type PublicRejectedEvent,
  readPublicIngestResult,
} from "./public-api.js";
export {
  eventFromPublicJson,
  eventToPublicJson,
  fromPublicJson,
  type InvalidPublicEvent,
  PUBLIC_CONTENT_KINDS,
  type PublicJsonSchema,
  readPublicEventBatch,
  toPublicJson,
} from "./public-json.js";
