import { checkClient, type CheckClient } from './check-client.js';
import type { CheckResponseMessage } from '../../src/check/check-response.js';
import { DECISION_METADATA_KEY, decodeDecisionRecord } from '../../src/check/decision-record.js';
import { checkRequest } from './agent-harness.js';

/** Real gRPC Check clients, one per agent address. */
export function checkClients(addresses: readonly string[]) {
  const clients = addresses.map((address) => checkClient(address));
  function check(index: number, headers: Record<string, string>): Promise<CheckResponseMessage> {
    const client = clients[index % clients.length] as CheckClient;
    return client.check(checkRequest({ headers }), { controlPoint: 'ingress' });
  }
  return { check, close: () => clients.forEach((client) => client.close()) };
}

/**
 * Offers `rps` Checks per second, spread round-robin over the clients, for `durationMs` of real
 * time. Returns the accepted count and the time between the first and the last decision as the
 * agents stamped them (what their buckets saw; send times would include connection set-up).
 */
export async function offerLoad(options: {
  check: (index: number) => Promise<CheckResponseMessage>;
  rps: number;
  durationMs: number;
}) {
  const period = 1000 / options.rps;
  const total = Math.floor((options.durationMs * options.rps) / 1000);
  const pending: Array<Promise<CheckResponseMessage>> = [];
  const start = performance.now();
  let last = start;
  for (let i = 0; i < total; i++) {
    const due = start + i * period;
    const wait = due - performance.now();
    // Pacing the load generator, not synchronising with the system under test.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    last = performance.now();
    pending.push(options.check(i));
  }
  const responses = await Promise.all(pending);
  const stamps = responses.map(
    (response) =>
      decodeDecisionRecord(response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '')
        .startedAtMs,
  );
  return {
    sent: total,
    accepted: responses.filter((response) => response.status.code === 0).length,
    elapsedMs: Math.max(...stamps) - Math.min(...stamps),
    sendElapsedMs: last - start,
  };
}
