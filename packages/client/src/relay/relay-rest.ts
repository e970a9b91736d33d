// The relay's route for the public REST API's batch (`openapi-public.yaml`).

import type { JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalServerRequest, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "../pipeline/batch-too-large.js";
import type { PublicApiError, PublicIngestResult } from "../rest/public-api.js";
import { readPublicEventBatch } from "../rest/public-json.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { boundedBody, checkDeclaredLength, isByteStream, readBody } from "./bounded-body.js";
import { authorizeCall } from "./relay-authorize.js";
import { type RelayCall, refuse } from "./relay-call.js";
import type { RelayIngest } from "./relay-ingest.js";
import type { ChaukasRelayOptions, RelayErrorStep } from "./relay-options.js";

/** What the REST route needs. */
export interface RelayRestOptions<Request> {
  readonly authorize: ChaukasRelayOptions<Request>["authorize"];
  readonly report: (error: unknown, step: RelayErrorStep) => void;
  readonly ingest: RelayIngest;
  readonly maxRequestBytes: number;
}

/** The REST batch route's answer to one request. */
export type RelayRestRoute<Request> = (
  call: RelayCall<Request>,
  request: UniversalServerRequest,
) => Promise<UniversalServerResponse>;

/**
 * `POST …/v1/events/batch` of the public REST API (`openapi-public.yaml`, read with
 * `@chaukas/client/rest`), answered as that API answers: 202 with the ingest result (events of
 * sessions the caller does not own listed in `rejected`), 400 naming the field of a batch that
 * cannot be read (nothing of it forwarded), 401, 413 with `reason: "batch-too-large"` (split and
 * resend), 429 with `retry-after`.
 */
export function createRelayRest<Request>(
  options: RelayRestOptions<Request>,
): RelayRestRoute<Request> {
  const { authorize, report, ingest, maxRequestBytes } = options;
  return async (call, request) => {
    if (request.method !== "POST") {
      return errorAnswer(new ConnectError("use POST", Code.Unimplemented), 405, { allow: "POST" });
    }
    if (!/^application\/json\s*(;|$)/i.test(request.header.get("content-type") ?? "")) {
      return errorAnswer(new ConnectError("send application/json", Code.InvalidArgument), 415);
    }
    try {
      call.grant = await authorizeCall(call, authorize, report);
      checkDeclaredLength(call, request.header, maxRequestBytes);
      const json = await readJson(call, boundedBody(call, request.body, maxRequestBytes));
      const batch = readPublicEvents(call, json);
      const foreign = ingest(call, batch.events);
      const result: PublicIngestResult = {
        batch_id: batch.batchId,
        accepted_count: batch.events.length - foreign.length,
        rejected_count: foreign.length,
        rejected_event_ids: foreign.map((e) => e.eventId),
        rejected: foreign.map(({ index, eventId }) => ({
          index,
          event_id: eventId,
          field: "session_id",
          reason: "not a session of this caller",
        })),
      };
      return jsonAnswer(202, result);
    } catch (error) {
      if (error instanceof ChaukasValidationError) {
        return jsonAnswer(400, {
          code: codeToString(Code.InvalidArgument),
          message: error.message,
          field: error.field,
        } satisfies PublicApiError);
      }
      return errorAnswer(ConnectError.from(error));
    }
  };
}

async function readJson(
  call: RelayCall<unknown>,
  body: UniversalServerRequest["body"],
): Promise<JsonValue> {
  if (!isByteStream(body)) return body;
  const bytes = await readBody(body);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as JsonValue;
  } catch (error) {
    throw refuse(
      call,
      "malformed",
      new ChaukasValidationError("body", `expected a JSON EventBatch: ${String(error)}`),
    );
  }
}

/** The batch, or the refusal of the whole request when any of it cannot be read. */
function readPublicEvents(call: RelayCall<unknown>, json: JsonValue) {
  let read: ReturnType<typeof readPublicEventBatch>;
  try {
    read = readPublicEventBatch(json);
  } catch (error) {
    if (error instanceof ChaukasValidationError) throw refuse(call, "malformed", error);
    throw error;
  }
  const [first] = read.invalid;
  if (first !== undefined) {
    const { error, index } = first;
    const reason = error.message.slice(error.field.length + 2);
    throw refuse(
      call,
      "malformed",
      new ChaukasValidationError(`events[${index}].${error.field}`, reason),
    );
  }
  return read.batch;
}

/** A ConnectError as the public API answers it: its HTTP status and `{ code, message }`. */
function errorAnswer(
  error: ConnectError,
  status = codeToHttpStatus(error.code),
  headers: Record<string, string> = {},
): UniversalServerResponse {
  const tooLarge = error.metadata.get(ERROR_REASON_METADATA_KEY) === BATCH_TOO_LARGE_REASON;
  const body: PublicApiError = {
    code: codeToString(error.code),
    message: error.rawMessage,
    ...(tooLarge ? { reason: BATCH_TOO_LARGE_REASON } : {}),
  };
  const header = new Headers(headers);
  error.metadata.forEach((value, name) => {
    header.set(name, value);
  });
  return jsonAnswer(tooLarge ? 413 : status, body, header);
}

function jsonAnswer(
  status: number,
  body: PublicApiError | PublicIngestResult,
  header = new Headers(),
): UniversalServerResponse {
  header.set("content-type", "application/json");
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return {
    status,
    header,
    body: (async function* () {
      yield bytes;
    })(),
  };
}
