/** A retriever run as DATA_ACCESS: which datasource, the query, and what came back. */

import type { DataAccessInit } from "@chaukas/client";
import { omitUndefined } from "@chaukas/client/integration";
import type { DocumentInterface } from "@langchain/core/documents";
import type { Serialized } from "@langchain/core/load/serializable";

/** What the handler keeps of a retriever's start until its end. */
export interface RetrieverStart {
  readonly datasource: string;
  readonly query: string;
}

/**
 * The datasource a retriever reads: `retriever://<name>`, named after the run (set it with
 * `retriever.withConfig({ runName: "kb" })`), else after the retriever's class.
 */
export function datasourceOf(
  serialized: Serialized | undefined,
  runName: string | undefined,
): string {
  const id = serialized?.id;
  const className = Array.isArray(id) ? id.at(-1) : undefined;
  return `retriever://${runName || className || "retriever"}`;
}

/**
 * DATA_ACCESS of a retrieval: the documents' ids (those that have one), and in `metadata` the
 * document count, their distinct `metadata.source`s and, when inputs are recorded, the query.
 */
export function dataAccessOf(
  start: RetrieverStart,
  documents: readonly DocumentInterface[],
  recordInputs: boolean,
): Omit<DataAccessInit, "time" | "spanId"> {
  const ids = documents.flatMap((doc) =>
    typeof doc?.id === "string" && doc.id !== "" ? [doc.id] : [],
  );
  const sources = [
    ...new Set(
      documents.flatMap((doc) => {
        const source: unknown = doc?.metadata?.source;
        return typeof source === "string" && source !== "" ? [source] : [];
      }),
    ),
  ];
  return omitUndefined<Omit<DataAccessInit, "time" | "spanId">>({
    datasource: start.datasource,
    documentIds: ids.length > 0 ? ids : undefined,
    metadata: {
      document_count: documents.length,
      ...(sources.length > 0 ? { sources } : {}),
      ...(recordInputs ? { query: start.query } : {}),
    },
  });
}
