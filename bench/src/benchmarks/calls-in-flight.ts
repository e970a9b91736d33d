/**
 * How the hand-written row-2 clients send `events`: in requests of `batchSize` events, with at
 * most `callsInFlight` calls at once, building the next request while calls are in flight.
 */
export async function sendInCalls<Request>(
  events: number,
  { batchSize, callsInFlight }: { batchSize: number; callsInFlight: number },
  nextRequest: (first: number, count: number) => Request,
  call: (request: Request) => Promise<unknown>,
): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  for (let sent = 0; sent < events; sent += batchSize) {
    const request = nextRequest(sent, Math.min(batchSize, events - sent));
    while (inFlight.size >= callsInFlight) await Promise.race(inFlight);
    const pending: Promise<unknown> = call(request).finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
}
