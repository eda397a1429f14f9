/**
 * One federated question: which peers the reach names, the calls in parallel under one overall
 * deadline, and the asker's audit: each peer's status in the request's trail (its audit row lists
 * them) and one OUTBOUND row per peer called, holding that peer's verified receipt. The OUTBOUND
 * rows go into the request's trail and commit in one batch with the request's own row, before any
 * byte of the answer is sent (or the client gets 503 AUDIT_UNAVAILABLE and none of it), so nothing
 * from a peer reaches the officer without its record here, for one commit instead of two.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuditEntry, PeerEntry } from '../audit/chain.ts'
import { sha256Hex } from '../audit/chain.ts'
import { auditTrailOf } from '../audit/trail.ts'
import type { Principal } from '../auth/principal.ts'
import { JaringError } from '../errors.ts'
import type { PeerOutcome } from './client.ts'
import type { ForwardedOperation } from './graphql.ts'
import type { TrustMember } from './trust-list.ts'

export interface ReachArgument {
  agencies?: readonly string[] | null
  all?: boolean | null
  purpose?: string | null
  caseReference?: string | null
}

export interface ReachPlan {
  /** Peers to call, in agency-code order. */
  targets: TrustMember[]
  /** Agencies named that are not callable peers: reported, never called. */
  untrusted: string[]
  purpose: string | undefined
  caseReference: string | undefined
}

/** Who a reach asks besides this node. Peer URLs come only from the trust list in force. */
export function planReach(
  reach: ReachArgument | null | undefined,
  self: string,
  peers: readonly TrustMember[],
): ReachPlan {
  const named = new Set<string>(reach?.all ? peers.map((peer) => peer.agency) : [])
  for (const agency of reach?.agencies ?? []) if (agency !== self) named.add(agency)
  const byAgency = new Map(peers.map((peer) => [peer.agency, peer]))
  const targets: TrustMember[] = []
  const untrusted: string[] = []
  for (const agency of [...named].sort()) {
    const peer = byAgency.get(agency)
    if (peer) targets.push(peer)
    else untrusted.push(agency)
  }
  const beyond = targets.length + untrusted.length > 0 || reach?.all === true
  if (beyond && !reach?.purpose) throw new JaringError('REACH_PURPOSE_REQUIRED', { path: 'reach.purpose' })
  return {
    targets,
    untrusted,
    purpose: reach?.purpose ?? undefined,
    caseReference: reach?.caseReference ?? undefined,
  }
}

const outcomeOf = (status: PeerOutcome['status']): AuditEntry['outcome'] =>
  status === 'ANSWERED' ? 'ALLOWED' : status === 'DENIED' ? 'DENIED' : 'FAILED'

export async function fanOut(
  app: FastifyInstance,
  request: FastifyRequest,
  principal: Principal,
  plan: ReachPlan,
  operationFor: (peer: TrustMember) => ForwardedOperation,
  label: string,
): Promise<PeerOutcome[]> {
  const { config } = app
  const trail = auditTrailOf(request)
  const signal = AbortSignal.timeout(config.federation.overallTimeoutMs)
  const purpose = plan.purpose as string
  const called = await Promise.all(
    plan.targets.map(async (member) => {
      const operation = operationFor(member)
      const body = JSON.stringify({ query: operation.query, variables: operation.variables })
      const outcome = await app.federation.client.call({
        member,
        body,
        principal,
        purpose,
        caseReference: plan.caseReference,
        requestId: request.id,
        signal,
      })
      return { outcome, body, operation }
    }),
  )
  const outcomes: PeerOutcome[] = [
    ...called.map(({ outcome }) => outcome),
    ...plan.untrusted.map(
      (agency): PeerOutcome => ({ agency, status: 'UNAVAILABLE', latencyMs: null, code: 'PEER_NOT_TRUSTED' }),
    ),
  ].sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0))
  for (const outcome of outcomes) {
    app.federation.metrics.observePeer(outcome)
    const entry: PeerEntry = {
      agency: outcome.agency,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      code: outcome.code,
    }
    trail.peers.push(entry)
  }
  if (app.audit.enabled) {
    trail.outbound.push(
      ...called.map(
        ({ outcome, body, operation }): AuditEntry => ({
          requestId: request.id,
          node: config.agency,
          direction: 'OUTBOUND',
          principalKind: principal.kind,
          principalAgency: principal.agency,
          principalSubject: principal.subject,
          principalRoles: [...principal.roles],
          tokenId: principal.tokenId,
          clientAddress: request.ip ?? null,
          purpose,
          caseReference: plan.caseReference ?? null,
          operationKind: 'QUERY',
          operationName: `${label}@${outcome.agency}`,
          documentDigest: sha256Hex(operation.query),
          variablesDigest: sha256Hex(body),
          policyVersion: app.policy.version,
          policyHash: app.policy.hash,
          outcome: outcomeOf(outcome.status),
          reasonCode: outcome.code,
          httpStatus: outcome.status === 'ANSWERED' ? 200 : 0,
          recordIds: [],
          fieldsWithheld: [],
          peers: [
            {
              agency: outcome.agency,
              status: outcome.status,
              latencyMs: outcome.latencyMs,
              code: outcome.code,
            },
          ],
          responseDigest: null,
          responseBytes: null,
          receipt: outcome.receipt ?? null,
        }),
      ),
    )
  }
  return outcomes
}
