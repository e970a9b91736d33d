// The deliveries under way and the export slots they hold (`maxConcurrentExports`): each batch
// handed over is counted in flight, delivered, and its slot freed once it settled.
import type { ConnectError } from "@connectrpc/connect";
import { requestBytesOf } from "../wire/encoded-batch.js";
import { KEEPALIVE_MAX_BATCH_BYTES } from "../wire/keepalive.js";
import { BatchDelivery, type DeliveryContext, type OutgoingBatch } from "./delivery.js";

/** A delivery under way; `delivery` is undefined while its batch is read back from the outbox. */
interface DeliveryInProgress {
  readonly firstSeq: number;
  delivery: BatchDelivery | undefined;
}

/** Runs `BatchDelivery`s, at most `maxConcurrentExports` at once (keepalive ones take no slot). */
export class Deliveries {
  readonly #running = new Set<DeliveryInProgress>();
  /** Deliveries holding a slot. */
  #slotsTaken = 0;
  /** Set by `abortAll` (shutdown's deadline): a delivery starting later is aborted at once. */
  #abortedWith: ConnectError | undefined;

  constructor(
    private readonly context: DeliveryContext,
    private readonly maxConcurrentExports: number,
    /** Called each time a delivery settled and freed what it held. */
    private readonly onSettled: () => void,
  ) {}

  /** True when a delivery may start without waiting for another to end. */
  get slotFree(): boolean {
    return this.#slotsTaken < this.maxConcurrentExports;
  }

  /** The `seq` of the oldest event in a delivery; Infinity when none runs. */
  get oldestSeq(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const { firstSeq } of this.#running) oldest = Math.min(oldest, firstSeq);
    return oldest;
  }

  /**
   * Delivers one batch; keepalive ones take no slot. A batch from the outbox stage is counted in
   * flight and holds its slot while it is read back, and its stored copy is dealt with
   * (`settled`) before the slot frees. Resolves once the batch has settled; never rejects.
   */
  async deliver(outgoing: OutgoingBatch): Promise<void> {
    const { events, keepalive } = outgoing;
    const { stats } = this.context;
    const inProgress: DeliveryInProgress = { firstSeq: outgoing.firstSeq, delivery: undefined };
    this.#running.add(inProgress);
    stats.exportStarted(events);
    if (!keepalive) this.#slotsTaken++;
    const batch = await outgoing.load();
    if (batch === undefined) {
      // Gone from the outbox or unreadable: the stage reported it.
      stats.failedInFlight(events);
    } else {
      // A lone event above the keepalive budget would make fetch refuse the request.
      const delivery = new BatchDelivery(
        this.context,
        batch,
        keepalive && requestBytesOf(batch) <= KEEPALIVE_MAX_BATCH_BYTES,
      );
      inProgress.delivery = delivery;
      // Shutdown's deadline passed while the batch was read back.
      if (this.#abortedWith !== undefined) delivery.abort(this.#abortedWith);
      const outcome = await delivery.run();
      await outgoing.settled?.(outcome);
    }
    this.#running.delete(inProgress);
    if (!keepalive) this.#slotsTaken--;
    this.onSettled();
  }

  /** Shutdown's deadline passed: every delivery gives up at once, its events failed with `error`. */
  abortAll(error: ConnectError): void {
    this.#abortedWith = error;
    for (const { delivery } of this.#running) delivery?.abort(error);
  }
}
