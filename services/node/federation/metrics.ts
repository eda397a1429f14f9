/**
 * The federation's Prometheus series, on the node's registry: the trust list in force (version,
 * expiry, refusals), each peer's circuit, and every peer call's outcome and latency. Read at each
 * scrape from the trust store and the peer client, so nothing here can drift from what they hold.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { PeerClient, PeerOutcome } from './client.ts'
import type { TrustStore } from './trust-store.ts'

export interface FederationMetrics {
  observePeer(outcome: PeerOutcome): void
}

/** Seconds; a peer answers within its deadline (5 s by default) or is cut off there. */
const peerBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function registerFederationMetrics(
  registry: Registry,
  sources: { trust: TrustStore | undefined; client: PeerClient; peers: () => readonly { agency: string }[] },
): FederationMetrics {
  const { trust, client, peers } = sources
  const registers = [registry]
  new Gauge({
    name: 'jaring_trust_list_version',
    help: 'Version of the trust list held (0: none loaded yet).',
    registers,
    collect() {
      this.set(trust?.state().verified?.list.version ?? 0)
    },
  })
  new Gauge({
    name: 'jaring_trust_list_in_force',
    help: '1 while a trust list is in force; 0 before the first good list or once it expired (no peer is trusted).',
    registers,
    collect() {
      this.set(trust?.current() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'jaring_trust_list_expiry_timestamp_seconds',
    help: 'When the trust list held expires, in Unix seconds (0: none held).',
    registers,
    collect() {
      const expiresAt = trust?.state().verified?.list.expiresAt
      this.set(expiresAt ? Date.parse(expiresAt) / 1000 : 0)
    },
  })
  new Gauge({
    name: 'jaring_trust_list_refused',
    help: '1 when the last update of the trust list was refused (by its code) since the last good load.',
    labelNames: ['code'] as const,
    registers,
    collect() {
      this.reset()
      const refusal = trust?.state().lastRefusal
      if (refusal) this.set({ code: refusal.code }, 1)
    },
  })
  new Gauge({
    name: 'jaring_peer_circuit_open',
    help: "1 while a peer's circuit breaker is open (the peer is not called), by peer.",
    labelNames: ['peer'] as const,
    registers,
    collect() {
      this.reset()
      for (const { agency } of peers()) this.set({ peer: agency }, client.circuit(agency).open ? 1 : 0)
    },
  })
  const calls = new Counter({
    name: 'jaring_peer_calls_total',
    help: 'Peer calls of federated queries, by peer, status and code (an empty code: answered).',
    labelNames: ['peer', 'status', 'code'] as const,
    registers,
  })
  const durations = new Histogram({
    name: 'jaring_peer_call_duration_seconds',
    help: 'Time from sending a peer call to its checked answer, by peer (calls made only).',
    labelNames: ['peer'] as const,
    buckets: peerBuckets,
    registers,
  })
  return {
    observePeer(outcome) {
      calls.inc({ peer: outcome.agency, status: outcome.status, code: outcome.code ?? '' })
      if (outcome.latencyMs !== null) durations.observe({ peer: outcome.agency }, outcome.latencyMs / 1000)
    },
  }
}
