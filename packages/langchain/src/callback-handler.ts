import type {
  AgentHandle,
  ErrorInit,
  EventOptions,
  JsonInput,
  SpanScope,
  ToolCallHandle,
} from "@chaukas/client";
import { ChaukasValidationError } from "@chaukas/client";
import {
  createIntegrationGuard,
  type IntegrationGuard,
  omitUndefined,
  recordedError,
  toLenientJsonObject,
} from "@chaukas/client/integration";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { DocumentInterface } from "@langchain/core/documents";
import type { Serialized } from "@langchain/core/load/serializable";
import type { BaseMessage } from "@langchain/core/messages";
import type { LLMResult } from "@langchain/core/outputs";
import type { ChainValues } from "@langchain/core/utils/types";
import {
  type CallbackName,
  type ChaukasCallbackHandlerOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./handler-options.js";
import {
  type CommandLike,
  commandTargets,
  GRAPH_CALLBACK_HANDLER,
  type GraphLifecycleEvent,
  type InterruptLike,
  interruptsOf,
  isBubbleUp,
  isCommand,
  isGraphRun,
  nodeOf,
  parentCommandOf,
  stepOf,
} from "./langgraph.js";
import { valueJson } from "./message-json.js";
import { type ModelStartInfo, modelResultOf, modelStartOf } from "./model-run.js";
import { dataAccessOf, datasourceOf } from "./retriever-run.js";
import { type ChaukasTarget, clientOf, openRoot } from "./root-scope.js";
import { spanIdOfRun } from "./run-ids.js";
import { type OpenRun, type Root, type RunState, RunTree } from "./run-tree.js";
import { toolArgumentsOf, toolFailureOf, toolNameOf, toolOutcomeOf } from "./tool-run.js";

/** The handler's own health; the events themselves are counted by the client's `stats()`. */
export interface ChaukasCallbackHandlerStats {
  /** Failures of the handler itself (see `ChaukasCallbackHandlerOptions.onError`). */
  readonly failed: number;
  /** LangChain runs started and not yet ended. */
  readonly openRuns: number;
}

/** Where a starting run goes: its root, the scope it emits under, and whether that is a graph's. */
interface Place {
  readonly root: Root;
  readonly scope: SpanScope;
  readonly parentGraph: boolean;
}

/** LangChain's tag on runs its tracing hides (LangGraph's `__start__` node). */
const HIDDEN_TAG = "langsmith:hidden";

/** How runs still open are ended when they can no longer end on their own. */
const LEFT_OPEN = {
  shutdown: { message: "the run was still open when the handler shut down", code: "shutdown" },
  clientShutdown: { message: "the run was still open when the client shut down", code: "shutdown" },
  rootEnded: { message: "the top-level run ended before this run did", code: "orphaned" },
} as const;

/**
 * A LangChain callback handler that sends every run to Chaukas:
 * ```ts
 * const handler = new ChaukasCallbackHandler(chaukas);
 * await graph.invoke(input, { callbacks: [handler] });
 * ```
 * Chat models and LLMs become MODEL_INVOCATION_START/END (provider, model, tokens, finish
 * reason, tool calls requested, time to first token), tools TOOL_CALL_START/END, retrievers
 * DATA_ACCESS, LangGraph graphs and their nodes agents (AGENT_START/END) with AGENT_HANDOFF for a
 * `Command` that moves control and STATE_UPDATE for an interrupt. LangChain's run tree is the
 * span tree; other chains emit nothing and their children nest under the nearest recorded
 * ancestor. A top-level run opens a session, or nests in the Chaukas scope that is active, or
 * joins the session named by `metadata.chaukas_session_id`.
 *
 * `chaukas` is the client, or a session or agent handle to nest every run under (for runtimes
 * without AsyncLocalStorage). The callbacks only build events and queue them: they never wait on
 * the network and never throw into LangChain; the handler's own failures are counted in
 * `stats().failed` and told to `onError`. Bad options throw `ChaukasValidationError`.
 */
export class ChaukasCallbackHandler extends BaseCallbackHandler {
  /** The handler's name for LangChain. */
  name = "ChaukasCallbackHandler";
  /**
   * Asks LangGraph to call `handleInterrupt` and `handleResume` (LangGraph tells its
   * `GraphCallbackHandler` by this mark; the package needs no runtime import of LangGraph).
   */
  readonly [GRAPH_CALLBACK_HANDLER] = true;

  readonly #target: ChaukasTarget;
  readonly #options: ResolvedOptions;
  readonly #guard: IntegrationGuard<CallbackName>;
  readonly #runs = new RunTree();

  constructor(chaukas: ChaukasTarget, options: ChaukasCallbackHandlerOptions = {}) {
    const resolved = resolveOptions(options);
    super({ _awaitHandler: !resolved.background });
    if (typeof (chaukas as Partial<SpanScope> | undefined)?.agentStart !== "function") {
      throw new ChaukasValidationError("chaukas", "expected a Chaukas client or scope");
    }
    this.#target = chaukas;
    this.#options = resolved;
    this.#guard = createIntegrationGuard(options.onError);
    // Runs still open when the client shuts down (the process ends) end as failed, and are sent.
    this.#guard.run("shutdown", undefined, () =>
      clientOf(chaukas)?.onShutdown(() =>
        this.#guard.run("shutdown", undefined, () =>
          this.#endLeftOpen(this.#runs.takeAll(), LEFT_OPEN.clientShutdown),
        ),
      ),
    );
  }

  /**
   * The handler itself: its state is the tree of open runs, which a copy would lose
   * (LangChain's `BaseCallbackHandler.copy` constructs a new handler from the options).
   */
  override copy(): this {
    return this;
  }

  /** A snapshot of the handler's counters. */
  stats(): ChaukasCallbackHandlerStats {
    return { failed: this.#guard.failed, openRuns: this.#runs.size };
  }

  /**
   * Ends every run still open as failed ("the run was still open when the handler shut down"),
   * then flushes the client (which stays open: it is yours). Call it when the process ends or
   * after aborting a graph; with `background: true`, `await awaitAllCallbacks()` first. Never
   * rejects.
   */
  async shutdown(): Promise<void> {
    this.#guard.run("shutdown", undefined, () => {
      this.#endLeftOpen(this.#runs.takeAll(), LEFT_OPEN.shutdown);
    });
    try {
      await clientOf(this.#target)?.flush();
    } catch (error) {
      this.#guard.report(error, "shutdown");
    }
  }

  // ── chains, graphs and graph nodes ────────────────────────────────────────────────────────

  // LangChain calls it with (chain, inputs, runId, parentRunId, tags, metadata, runType,
  // runName): the order BaseTracer declares, not the one BaseCallbackHandler's types show.
  override handleChainStart(
    chain: Serialized,
    inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    this.#guard.run("handleChainStart", undefined, () => {
      const nowMs = Date.now();
      const place = this.#placeOf(runId, parentRunId, metadata, runName, nowMs);
      const graph = isGraphRun(chain);
      const node = place.parentGraph ? nodeOf(metadata) : undefined;
      const hidden = tags?.includes(HIDDEN_TAG) === true;
      this.#openRun(runId, place, graph, () => {
        if (hidden || !(graph || node !== undefined)) return { kind: "chain" };
        const name = node ?? this.#graphName(runName);
        const step = stepOf(metadata);
        const state =
          graph && this.#options.recordInputs
            ? toLenientJsonObject(valueJson(inputs), "input")
            : undefined;
        const handle = place.scope.agentStart({
          agentId: name,
          agentName: name,
          ...this.#spanOptions(
            runId,
            nowMs,
            omitUndefined({ langgraph_node: node, langgraph_step: step }),
          ),
          ...(state === undefined ? {} : { state }),
        });
        return { kind: "agent", handle, graph, node, step };
      });
    });
  }

  override handleChainEnd(outputs: ChainValues, runId: string): void {
    this.#endRun("handleChainEnd", runId, undefined, (run, nowMs) => {
      if (run.state.kind === "agent") this.#endAgent(run, run.state, outputs, nowMs);
    });
  }

  override handleChainError(error: unknown, runId: string): void {
    this.#endRun(
      "handleChainError",
      runId,
      isBubbleUp(error) ? undefined : { error },
      (run, nowMs) => {
        if (run.state.kind === "agent") this.#failAgent(run, run.state.handle, error, nowMs);
      },
    );
  }

  // ── chat models and LLMs ──────────────────────────────────────────────────────────────────

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#guard.run("handleChatModelStart", undefined, () => {
      this.#startModel(runId, parentRunId, {
        serialized: llm,
        input: { messages: messages[0] ?? [] },
        extraParams,
        metadata,
        runName,
      });
    });
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#guard.run("handleLLMStart", undefined, () => {
      this.#startModel(runId, parentRunId, {
        serialized: llm,
        input: { prompts },
        extraParams,
        metadata,
        runName,
      });
    });
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    this.#guard.run("handleLLMNewToken", undefined, () => this.#firstToken(runId));
  }

  override handleChatModelStreamEvent(event: { event?: string }, runId: string): void {
    this.#guard.run("handleChatModelStreamEvent", undefined, () => {
      if (event?.event === "content-block-delta") this.#firstToken(runId);
    });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.#endRun("handleLLMEnd", runId, undefined, (run, nowMs) => {
      if (run.state.kind !== "model") return;
      const result = modelResultOf(output, run.state, this.#options.recordOutputs);
      const { metadata, ...rest } = result;
      endOrFail(run.state.handle, {
        ...rest,
        ...this.#endOptions(runId, nowMs, metadata),
      });
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.#endRun("handleLLMError", runId, { error }, (run, nowMs) => {
      if (run.state.kind === "model") {
        run.state.handle.fail(this.#errorOf(error), this.#endOptions(runId, nowMs));
      }
    });
  }

  // ── tools ─────────────────────────────────────────────────────────────────────────────────

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    this.#guard.run("handleToolStart", undefined, () => {
      const nowMs = Date.now();
      const place = this.#placeOf(runId, parentRunId, metadata, runName, nowMs);
      this.#openRun(runId, place, false, () => {
        const args = this.#options.recordInputs ? toolArgumentsOf(input) : undefined;
        const handle = place.scope.toolCallStart({
          name: toolNameOf(tool, runName),
          id: toolCallId || runId,
          ...(args === undefined ? {} : { arguments: args }),
          ...this.#spanOptions(runId, nowMs),
        });
        return { kind: "tool", handle };
      });
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#endRun("handleToolEnd", runId, undefined, (run, nowMs) => {
      if (run.state.kind !== "tool") return;
      const { handle } = run.state;
      const outcome = toolOutcomeOf(output);
      if (outcome.failed) {
        this.#failTool(handle, toolFailureOf(output), runId, nowMs);
        return;
      }
      if (outcome.command) this.#handoff(handle, outcome.command, runId, nowMs);
      const json = this.#options.recordOutputs ? outcome.output() : undefined;
      endOrFail(handle, {
        ...(json === undefined ? {} : { output: json }),
        ...this.#endOptions(runId, nowMs),
      });
    });
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#endRun(
      "handleToolError",
      runId,
      isBubbleUp(error) ? undefined : { error },
      (run, nowMs) => {
        if (run.state.kind !== "tool") return;
        const { handle } = run.state;
        // A tool may pause the graph (`interrupt()`) or hand off (`Command.PARENT`): not failures.
        const command = parentCommandOf(error);
        const interrupts = interruptsOf(error);
        if (command !== undefined || interrupts !== undefined) {
          if (command) this.#handoff(handle, command, runId, nowMs);
          if (interrupts) this.#interrupted(run.root, handle, interrupts, runId, nowMs);
          handle.end(
            this.#endOptions(
              runId,
              nowMs,
              interrupts ? { langgraph_interrupted: true } : undefined,
            ),
          );
          return;
        }
        this.#failTool(handle, this.#errorOf(error), runId, nowMs);
      },
    );
  }

  // ── retrievers ────────────────────────────────────────────────────────────────────────────

  override handleRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.#guard.run("handleRetrieverStart", undefined, () => {
      const place = this.#placeOf(runId, parentRunId, metadata, name, Date.now());
      const start = { datasource: datasourceOf(retriever, name), query };
      this.#openRun(runId, place, false, () => ({ kind: "retriever", start }));
    });
  }

  override handleRetrieverEnd(documents: DocumentInterface[], runId: string): void {
    this.#endRun("handleRetrieverEnd", runId, undefined, (run, nowMs) => {
      if (run.state.kind !== "retriever") return;
      const access = dataAccessOf(run.state.start, documents ?? [], this.#options.recordInputs);
      run.parentScope.dataAccess({
        ...access,
        ...this.#pointOptions(runId, nowMs, access.metadata, true),
      });
    });
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.#endRun("handleRetrieverError", runId, { error }, (run, nowMs) => {
      if (run.state.kind !== "retriever") return;
      const { datasource, query } = run.state.start;
      run.parentScope.error(
        this.#errorOf(error),
        this.#pointOptions(
          runId,
          nowMs,
          {
            datasource,
            ...(this.#options.recordInputs ? { query } : {}),
          },
          true,
        ),
      );
    });
  }

  // ── LangGraph lifecycle (called for handlers marked as a GraphCallbackHandler) ────────────

  /** The graph paused for a human: a STATE_UPDATE under the graph (static interrupts too). */
  handleInterrupt(event: GraphLifecycleEvent): void {
    this.#guard.run("handleInterrupt", undefined, () => {
      const run = event?.runId === undefined ? undefined : this.#runs.get(event.runId);
      if (run === undefined) return;
      this.#interrupted(run.root, run.scope, event.interrupts ?? [], run.runId, Date.now(), event);
    });
  }

  /** The graph continues from a checkpoint: a STATE_UPDATE under the graph. */
  handleResume(event: GraphLifecycleEvent): void {
    this.#guard.run("handleResume", undefined, () => {
      const run = event?.runId === undefined ? undefined : this.#runs.get(event.runId);
      if (run === undefined) return;
      const nowMs = Date.now();
      run.scope.stateUpdate(
        { langgraph: omitUndefined({ status: "resumed", ...checkpointOf(event) }) },
        this.#pointOptions(run.runId, nowMs),
      );
    });
  }

  // ── how runs start and end ────────────────────────────────────────────────────────────────

  /** Where a starting run's events go: under its recorded parent, or a root of its own. */
  #placeOf(
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown> | undefined,
    runName: string | undefined,
    nowMs: number,
  ): Place {
    const parent = parentRunId === undefined ? undefined : this.#runs.get(parentRunId);
    if (parent !== undefined) {
      return { root: parent.root, scope: parent.scope, parentGraph: parent.graph };
    }
    const root = openRoot(this.#target, {
      runId,
      runName,
      metadata,
      startMs: nowMs,
      tags: this.#options.tags,
    });
    return { root, scope: root.scope, parentGraph: false };
  }

  /**
   * Records a starting run with what `start` made of it (its START event emitted). If `start`
   * throws, the run is still recorded, as a plain chain, so its end still ends its root's
   * session and its children still find their place.
   */
  #openRun(runId: string, place: Place, graph: boolean, start: () => RunState): void {
    const open = (state: RunState) => {
      const own = "handle" in state ? state.handle : undefined;
      this.#runs.add({
        runId,
        root: place.root,
        parentScope: place.scope,
        scope: own ?? place.scope,
        graph,
        state,
      });
    };
    try {
      open(start());
    } catch (error) {
      open({ kind: "chain" });
      throw error;
    }
  }

  #startModel(runId: string, parentRunId: string | undefined, info: ModelStartInfo): void {
    const nowMs = Date.now();
    const place = this.#placeOf(runId, parentRunId, info.metadata, info.runName, nowMs);
    this.#openRun(runId, place, false, () => {
      const handle = place.scope.modelInvocationStart({
        ...modelStartOf(info, this.#options.recordInputs),
        ...this.#spanOptions(
          runId,
          nowMs,
          omitUndefined({ langgraph_node: nodeOf(info.metadata) }),
        ),
      });
      return { kind: "model", handle, startMs: nowMs, firstTokenMs: undefined };
    });
  }

  #firstToken(runId: string): void {
    const state = this.#runs.get(runId)?.state;
    if (state?.kind === "model" && state.firstTokenMs === undefined)
      state.firstTokenMs = Date.now();
  }

  #endAgent(
    run: OpenRun,
    state: Extract<RunState, { kind: "agent" }>,
    outputs: unknown,
    nowMs: number,
  ): void {
    const { handle } = state;
    const command = isCommand(outputs) ? outputs : undefined;
    if (command) this.#handoff(handle, command, run.runId, nowMs);
    if (this.#options.recordState && state.node !== undefined) {
      const update = valueJson(command ? command.update : outputs);
      if (update !== undefined) {
        handle.stateUpdate(
          { langgraph: omitUndefined({ node: state.node, step: state.step, update }) },
          this.#pointOptions(run.runId, nowMs),
        );
      }
    }
    // A graph whose run paused returns normally; its nodes raised the interrupt.
    const interrupted = state.graph && run.root.paused;
    const finalState =
      state.graph && this.#options.recordOutputs
        ? toLenientJsonObject(valueJson(outputs), "output")
        : undefined;
    endOrFail(handle, {
      ...(finalState === undefined ? {} : { state: finalState }),
      ...this.#endOptions(
        run.runId,
        nowMs,
        interrupted ? { langgraph_interrupted: true } : undefined,
      ),
    });
  }

  /** A graph or node that raised: failed, unless LangGraph's control flow (interrupt, parent command). */
  #failAgent(run: OpenRun, handle: AgentHandle, error: unknown, nowMs: number): void {
    const command = parentCommandOf(error);
    const interrupts = interruptsOf(error);
    if (command) this.#handoff(handle, command, run.runId, nowMs);
    if (interrupts) this.#interrupted(run.root, handle, interrupts, run.runId, nowMs);
    if (isBubbleUp(error)) {
      handle.end(
        this.#endOptions(
          run.runId,
          nowMs,
          interrupts ? { langgraph_interrupted: true } : undefined,
        ),
      );
      return;
    }
    handle.fail(this.#errorOf(error), this.#endOptions(run.runId, nowMs));
  }

  #failTool(handle: ToolCallHandle, error: unknown, runId: string, nowMs: number): void {
    try {
      handle.error(error, this.#pointOptions(runId, nowMs));
    } finally {
      handle.fail(error, this.#endOptions(runId, nowMs));
    }
  }

  /** AGENT_HANDOFF from `scope`'s agent to each node a `Command` moves control to. */
  #handoff(scope: SpanScope, command: CommandLike, runId: string, nowMs: number): void {
    const { nodes, parallel } = commandTargets(command);
    const data =
      this.#options.recordOutputs && command.update !== undefined
        ? toLenientJsonObject(valueJson(command.update), "update")
        : undefined;
    for (const node of nodes) {
      scope.handoff({
        toAgentId: node,
        toAgentName: node,
        handoffType: parallel ? "parallel" : "sequential",
        reason: command.graph === "__parent__" ? "Command to the parent graph" : "Command",
        ...(data === undefined ? {} : { data }),
        ...this.#pointOptions(runId, nowMs),
      });
    }
  }

  /**
   * The interrupts not yet recorded in this root, as one STATE_UPDATE under `scope`: LangGraph
   * reports an interrupt from the tool or node that raised it and again to the root graph.
   */
  #interrupted(
    root: Root,
    scope: SpanScope,
    interrupts: readonly InterruptLike[],
    runId: string,
    nowMs: number,
    event?: GraphLifecycleEvent,
  ): void {
    const fresh = interrupts.filter((i) => i.id === undefined || !root.interrupts.has(i.id));
    // A static interrupt (interruptBefore/After) has no payload: only the graph's report says so.
    if (fresh.length === 0 && (interrupts.length > 0 || event === undefined)) return;
    root.paused = true;
    for (const i of fresh) if (i.id !== undefined) root.interrupts.add(i.id);
    const recordOutputs = this.#options.recordOutputs;
    const state: JsonInput = {
      langgraph: omitUndefined({
        status: "interrupted",
        interrupts: fresh.map((i) =>
          omitUndefined({
            id: i.id,
            value: recordOutputs ? (valueJson(i.value) ?? null) : undefined,
          }),
        ),
        ...(event ? checkpointOf(event) : {}),
      }),
    };
    scope.stateUpdate(state, this.#pointOptions(runId, nowMs));
  }

  /**
   * The end of a run (`handle*End`, `handle*Error`): takes it from the tree and lets `end` record
   * it, then ends the top-level run it was, whatever `end` did (`rootFailure` when that failed).
   * Guarded like every callback.
   */
  #endRun(
    callback: CallbackName,
    runId: string,
    rootFailure: { error: unknown } | undefined,
    end: (run: OpenRun, nowMs: number) => void,
  ): void {
    this.#guard.run(callback, undefined, () => {
      const nowMs = Date.now();
      const run = this.#runs.take(runId);
      if (run === undefined) return;
      try {
        end(run, nowMs);
      } finally {
        this.#endRootOf(run, rootFailure, nowMs);
      }
    });
  }

  /**
   * When the root run ends, its session does (FAILED with the root's error); runs of the root
   * still open (a stream left unread) end as failed first, so nothing is left open.
   */
  #endRootOf(run: OpenRun, failure: { error: unknown } | undefined, nowMs: number): void {
    const { root } = run;
    if (run.runId !== root.runId) return;
    this.#endLeftOpen(this.#runs.takeAll(root), LEFT_OPEN.rootEnded);
    const options = {
      ...this.#tagsOption(),
      endTime: nowMs,
      ...(root.paused ? { metadata: { langgraph_interrupted: true } } : {}),
    };
    if (root.session === undefined) {
      if (failure)
        root.scope.error(this.#errorOf(failure.error), { ...this.#tagsOption(), time: nowMs });
    } else if (failure) {
      root.session.fail(this.#errorOf(failure.error), options);
    } else {
      root.session.end(options);
    }
  }

  /** Ends `runs` as failed with `reason` (each on its own: one refusal does not skip the rest). */
  #endLeftOpen(runs: readonly OpenRun[], reason: { message: string; code: string }): void {
    const nowMs = Date.now();
    const roots = new Set<Root>();
    for (const run of runs) {
      if (run.runId === run.root.runId) roots.add(run.root);
      const state = run.state;
      if (state.kind === "agent" || state.kind === "model" || state.kind === "tool") {
        this.#guard.run("endLeftOpen", undefined, () =>
          state.handle.fail(reason, this.#endOptions(run.runId, nowMs)),
        );
      }
    }
    for (const root of roots) {
      this.#guard.run("endLeftOpen", undefined, () =>
        root.session?.fail(reason, { ...this.#tagsOption(), endTime: nowMs }),
      );
    }
  }

  // ── event options ─────────────────────────────────────────────────────────────────────────

  #graphName(runName: string | undefined): string {
    return runName && runName !== "LangGraph" ? runName : this.#options.agentName;
  }

  #errorOf(error: unknown): ErrorInit {
    return recordedError(error, this.#options.recordOutputs);
  }

  #tagsOption(): Pick<EventOptions, "tags"> {
    return this.#options.tags.length > 0 ? { tags: this.#options.tags } : {};
  }

  /** The run's metadata on every event of it: its LangChain run id, for finding it in LangSmith. */
  #metadata(runId: string, extra?: JsonInput): { metadata: JsonInput } {
    return { metadata: { langchain_run_id: runId, ...extra } };
  }

  #spanOptions(runId: string, nowMs: number, extra?: JsonInput) {
    const spanId = spanIdOfRun(runId);
    return {
      startTime: nowMs,
      ...(spanId === undefined ? {} : { spanId }),
      ...this.#tagsOption(),
      ...this.#metadata(runId, extra),
    };
  }

  #endOptions(runId: string, nowMs: number, extra?: JsonInput) {
    return { endTime: nowMs, ...this.#tagsOption(), ...this.#metadata(runId, extra) };
  }

  /**
   * A point event's options. `ownSpan` for the one event a run is (a retriever's DATA_ACCESS or
   * ERROR): the run's span id. Events beside a span's END (handoffs, errors, state updates)
   * get new span ids under it.
   */
  #pointOptions(runId: string, nowMs: number, extra?: JsonInput, ownSpan = false) {
    const spanId = ownSpan ? spanIdOfRun(runId) : undefined;
    return {
      time: nowMs,
      ...(spanId === undefined ? {} : { spanId }),
      ...this.#tagsOption(),
      ...this.#metadata(runId, extra),
    };
  }
}

/** A lifecycle event's checkpoint, as STATE_UPDATE fields. */
function checkpointOf(event: GraphLifecycleEvent): JsonInput {
  return omitUndefined({
    checkpoint_id: event.checkpointId,
    checkpoint_ns: event.checkpointNs?.length ? [...event.checkpointNs] : undefined,
    loop_status: event.status,
  });
}

/** Ends a span; if the client refuses the result, still ends it, as failed, and rethrows. */
function endOrFail<R extends { endTime?: number }>(
  handle: { end(result?: R): void; fail(error: unknown, options?: { endTime?: number }): void },
  result: R,
): void {
  try {
    handle.end(result);
  } catch (error) {
    handle.fail(error, result.endTime === undefined ? {} : { endTime: result.endTime });
    throw error;
  }
}
