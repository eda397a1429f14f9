/**
 * What one request leaves for its audit row, gathered while it runs: the operation, the records it
 * disclosed, the fields the policy withheld, the peers it asked, the first error code. The audit
 * plugin turns it into the row when the response is ready (docs/audit.md).
 */
import type { FastifyRequest } from 'fastify'
import type { HeldTransaction } from '../../../db/held-transaction.ts'
import type { AuditDirection, AuditOperationKind } from '../../../schema/vocabulary.ts'
import type { AuditEntry, PeerEntry, WithheldEntry } from './chain.ts'

export class AuditTrail {
  direction: AuditDirection = 'LOCAL'
  operationKind: AuditOperationKind | undefined
  operationName: string | undefined
  /** Global ids of the records released to the response (or written by it). */
  readonly recordIds = new Set<string>()
  readonly withheld: WithheldEntry[] = []
  readonly peers: PeerEntry[] = []
  /** The first error code the client is told, if any. */
  errorCode: string | undefined
  /** An inbound peer request: the SHA-256 of the body its assertion vouches for (receipts name it). */
  requestDigest: string | undefined
  /** An outbound row: the peer's signed disclosure receipt. */
  receipt: string | undefined
  /**
   * One OUTBOUND row per peer this request asked: committed in the same batch as the request's own
   * row, before any byte of the answer leaves, so nothing a peer sent reaches the client unaudited.
   */
  readonly outbound: AuditEntry[] = []
  /** The transaction a writing request runs in; its audit row commits with it. */
  transaction: HeldTransaction | undefined

  noteError(code: string): void {
    this.errorCode ??= code
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    auditTrail: AuditTrail | null
  }
}

/** The request's trail, created on first use (requests that touch no records never make one). */
export function auditTrailOf(request: FastifyRequest): AuditTrail {
  request.auditTrail ??= new AuditTrail()
  return request.auditTrail
}
