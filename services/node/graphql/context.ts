/**
 * The per-request GraphQL context: who asks (the verified principal), the request id, the
 * repositories and the reader's record access, computed once per request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { auditTrailOf } from '../audit/trail.ts'
import type { Principal } from '../auth/principal.ts'
import type { RecordAccess, RecordRepositories } from '../records/index.ts'

export interface JaringContext {
  /** Null only where the auth plugin let a request through without a token (none does for /graphql). */
  principal: Principal | null
  requestId: string
  records: RecordRepositories
  /** What the principal may see, as the repositories' row filters take it. */
  access: RecordAccess
}

declare module 'mercurius' {
  interface MercuriusContext extends JaringContext {}
}

export function buildContext(app: FastifyInstance) {
  return (request: FastifyRequest): JaringContext => {
    const principal = request.principal ?? null
    return {
      principal,
      requestId: request.id,
      records: app.records,
      access: app.records.access(principal ?? undefined, auditTrailOf(request).recordIds),
    }
  }
}
