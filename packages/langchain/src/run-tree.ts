/**
 * LangChain's run tree (each callback names its run and its parent run) as the handler keeps
 * it: for every open run, where its events go and where its children's go. Runs without an
 * event of their own (plain chains, retrievers until they end) hand their parent's place on,
 * so children nest under the nearest recorded ancestor.
 */

import type {
  AgentHandle,
  ContinuedSessionHandle,
  ModelInvocationHandle,
  SessionHandle,
  SpanScope,
  ToolCallHandle,
} from "@chaukas/client";
import type { RetrieverStart } from "./retriever-run.js";

/**
 * Where a top-level run's events go: a session the handler opened for it, the caller's scope
 * continued (`session.run(...)` active, or `metadata.chaukas_session_id`), or the scope the
 * handler was given.
 */
export interface Root {
  readonly runId: string;
  readonly scope: SpanScope;
  /** Ended with the root run; `undefined` for the scope the handler was given (the caller's). */
  readonly session: SessionHandle | ContinuedSessionHandle | undefined;
  /** Ids of the interrupts recorded in this root's runs, so each is recorded once. */
  readonly interrupts: Set<string>;
  /** True once a run of this root paused for a human (an interrupt). */
  paused: boolean;
}

/** What an open run is, with what its end needs. */
export type RunState =
  | { readonly kind: "chain" }
  | {
      readonly kind: "agent";
      readonly handle: AgentHandle;
      /** A graph run (root or subgraph): its nodes are agents too. */
      readonly graph: boolean;
      /** The node it runs, when it is a node of a graph. */
      readonly node: string | undefined;
      readonly step: number | undefined;
    }
  | {
      readonly kind: "model";
      readonly handle: ModelInvocationHandle;
      readonly startMs: number;
      firstTokenMs: number | undefined;
    }
  | { readonly kind: "tool"; readonly handle: ToolCallHandle }
  | { readonly kind: "retriever"; readonly start: RetrieverStart };

/** An open run. */
export interface OpenRun {
  readonly runId: string;
  readonly root: Root;
  /** Where the run's children emit: its own span when it has one, else its parent's place. */
  readonly scope: SpanScope;
  /** Where the run's own point events go (DATA_ACCESS, ERROR): its parent's place. */
  readonly parentScope: SpanScope;
  /** A graph run (root or subgraph), whose child runs with `langgraph_node` are its nodes. */
  readonly graph: boolean;
  readonly state: RunState;
}

/** The open runs, by run id, in the order they started. */
export class RunTree {
  readonly #runs = new Map<string, OpenRun>();

  get size(): number {
    return this.#runs.size;
  }

  get(runId: string): OpenRun | undefined {
    return this.#runs.get(runId);
  }

  add(run: OpenRun): void {
    this.#runs.set(run.runId, run);
  }

  /** Removes and returns the run (`undefined` for a run this handler never saw start). */
  take(runId: string): OpenRun | undefined {
    const run = this.#runs.get(runId);
    this.#runs.delete(runId);
    return run;
  }

  /**
   * Removes and returns the open runs of `root` (every open run when `root` is undefined),
   * children before parents.
   */
  takeAll(root?: Root): OpenRun[] {
    const taken = [...this.#runs.values()].filter((run) => root === undefined || run.root === root);
    for (const run of taken) this.#runs.delete(run.runId);
    return taken.reverse();
  }
}
