/**
 * The audit plugin (DESIGN.md principle 4, docs/audit.md). Every request to a route that reads or
 * writes records leaves one row in the append-only, hash-chained audit log, committed before a
 * byte of the response is sent: in `onSend`, once the response body is known. A writing request
 * runs in one transaction with its row, so a write is never committed without it. When the row
 * cannot be written the client gets 503 AUDIT_UNAVAILABLE and none of the data (fail closed).
 * The node signs its chain head now and then (checkpoints), and its disclosures to peers (receipts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { JWK } from 'jose'
import { queryAuditRows } from '../../../db/audit-log.ts'
import { holdTransaction } from '../../../db/held-transaction.ts'
import type { AuditOperationKind, AuditOutcome } from '../../../schema/vocabulary.ts'
import { type PrivateSigningKey, readPrivateSigningKey, readPublicJwksOfPrivateKey } from '../auth/keys.ts'
import { resolveConfigPath } from '../config.ts'
import { errorCatalogue, JaringError } from '../errors.ts'
import { type AuditEntry, type AuditRow, canonicalJson, sha256Hex } from './chain.ts'
import { checkpointChainHead } from './checkpoint.ts'
import { signReceipt } from './signed.ts'
import { type AuditTrail, auditTrailOf } from './trail.ts'
import { verifyAuditChain } from './verify.ts'
import { type AuditWriter, createAuditWriter } from './writer.ts'

export interface AuditService {
  readonly enabled: boolean
  writer: AuditWriter
  /** The node's federation key: checkpoints and receipts are signed with it. */
  signingKey: PrivateSigningKey
  /** Its public half, for verifying what this node signed. */
  publicKeys: readonly JWK[]
  /** Signs the chain head when it moved since the last checkpoint; returns the seq signed, if any. */
  checkpoint(): Promise<number | undefined>
  verify: (options?: { pageSize?: number }) => ReturnType<typeof verifyAuditChain>
  query: (query: Parameters<typeof queryAuditRows>[1]) => ReturnType<typeof queryAuditRows>
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditService
  }
  interface FastifyContextConfig {
    /** Set by the audit plugin on every route that reads or writes records. */
    audited?: boolean
  }
}

const graphqlPaths = new Set(['/graphql', '/federation/graphql'])

/** The routes that reach records: every request to them is audited, refused ones included. */
export function isAuditedPath(url: string): boolean {
  return graphqlPaths.has(url) || url.startsWith('/api/v1/')
}

const writingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function outcomeOf(status: number, trail: AuditTrail): AuditOutcome {
  if (status === 401 || status === 403 || status === 429) return 'DENIED'
  if (status >= 400) return 'FAILED'
  const peerFailed = trail.peers.some((peer) => peer.status !== 'ANSWERED')
  return trail.errorCode !== undefined || peerFailed ? 'PARTIAL' : 'ALLOWED'
}

function restOperationKind(method: string): AuditOperationKind {
  return writingMethods.has(method) ? 'REST_WRITE' : 'REST_READ'
}

/** The digests of what was asked: the GraphQL document and variables, or the REST route and body. */
function requestDigests(request: FastifyRequest, isGraphql: boolean) {
  const body = request.body as Record<string, unknown> | undefined
  if (isGraphql) {
    const source = (request.method === 'GET' ? request.query : body) as Record<string, unknown> | undefined
    const query = source?.query
    const variables = source?.variables
    return {
      documentDigest: typeof query === 'string' ? sha256Hex(query) : null,
      variablesDigest:
        variables === undefined || variables === null ? null : sha256Hex(canonicalJson(variables)),
    }
  }
  const plainBody =
    body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe !== 'function'
  return {
    documentDigest: sha256Hex(`${request.method} ${request.url}`),
    variablesDigest: plainBody ? sha256Hex(canonicalJson(body)) : null,
  }
}

function payloadBytes(payload: unknown): Buffer | undefined {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8')
  if (Buffer.isBuffer(payload)) return payload
  return undefined
}

function failClosedBody(request: FastifyRequest, isGraphql: boolean): string {
  const { message } = errorCatalogue.AUDIT_UNAVAILABLE
  const code = 'AUDIT_UNAVAILABLE'
  return JSON.stringify(
    isGraphql
      ? { errors: [{ message, extensions: { code, requestId: request.id } }] }
      : { code, message, requestId: request.id },
  )
}

export default fp(
  async (app) => {
    const { config } = app
    const keyFile = resolveConfigPath(config, config.federation.privateKeyFile)
    let signingKey: PrivateSigningKey
    let publicKeys: JWK[]
    try {
      signingKey = await readPrivateSigningKey(keyFile)
      publicKeys = (await readPublicJwksOfPrivateKey(keyFile)).keys
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new Error(`federation.privateKeyFile: ${keyFile} cannot be used as the node's key (${reason})`)
    }
    const db = app.database.db
    const writer = createAuditWriter(db, config.audit)

    const checkpoint = () => checkpointChainHead(db, signingKey, config.agency)

    app.decorate('audit', {
      enabled: config.audit.enabled,
      writer,
      signingKey,
      publicKeys,
      checkpoint,
      verify: (options = {}) => verifyAuditChain(db, { node: config.agency, keys: publicKeys, ...options }),
      query: (query) => queryAuditRows(db, query),
    } satisfies AuditService)
    app.decorateRequest('auditTrail', null)

    app.addHook('onRoute', (route) => {
      if (isAuditedPath(route.url)) route.config = { ...route.config, audited: true }
    })

    if (!config.audit.enabled) {
      app.log.warn(
        'auditing is switched off (audit.enabled: false): this node keeps no record of disclosures',
      )
      return
    }

    const timer = setInterval(() => {
      checkpoint().catch((error: unknown) => app.log.warn({ err: error }, 'audit checkpoint failed'))
    }, config.audit.checkpointIntervalSeconds * 1_000)
    timer.unref()

    app.addHook('onError', async (request, _reply, error) => {
      if (request.routeOptions.config.audited && error instanceof JaringError)
        auditTrailOf(request).noteError(error.code)
    })

    // A REST write runs in one transaction with its audit row (GraphQL mutations open theirs before
    // execution, in graphql/audit.ts; the peer endpoint only reads, and must reach the database
    // for its replay check, which a held transaction would block on PGlite's one connection).
    app.addHook('preHandler', async (request) => {
      const { config: route, url = '' } = request.routeOptions
      if (!route.audited || graphqlPaths.has(url) || !writingMethods.has(request.method)) return
      const transaction = await holdTransaction(db)
      auditTrailOf(request).transaction = transaction
      request.recordsInTransaction = app.records.within(transaction.db)
    })

    const entryOf = (request: FastifyRequest, reply: FastifyReply, body: Buffer | undefined): AuditEntry => {
      const trail = auditTrailOf(request)
      const isGraphql = graphqlPaths.has(request.routeOptions.url ?? '')
      const principal = request.principal as FastifyRequest['principal'] | null
      const policy = app.policy
      return {
        requestId: request.id,
        node: config.agency,
        direction: trail.direction,
        principalKind: principal?.kind ?? null,
        principalAgency: principal?.agency ?? null,
        principalSubject: principal?.subject ?? null,
        principalRoles: principal ? [...principal.roles] : [],
        tokenId: principal?.tokenId ?? null,
        clientAddress: request.ip ?? null,
        purpose: principal?.purpose ?? null,
        caseReference: principal?.caseReference ?? null,
        operationKind: trail.operationKind ?? (isGraphql ? 'QUERY' : restOperationKind(request.method)),
        operationName:
          trail.operationName ?? (isGraphql ? null : `${request.method} ${request.routeOptions.url}`),
        ...requestDigests(request, isGraphql),
        policyVersion: policy.version,
        policyHash: policy.hash,
        outcome: outcomeOf(reply.statusCode, trail),
        reasonCode: trail.errorCode ?? null,
        httpStatus: reply.statusCode,
        recordIds: [...trail.recordIds],
        fieldsWithheld: trail.withheld,
        peers: trail.peers,
        responseDigest: body ? sha256Hex(body) : null,
        responseBytes: body ? body.length : null,
        receipt: trail.receipt ?? null,
      }
    }

    /**
     * Commits the row (with the request's writes, if it wrote) and the OUTBOUND rows of the peers it
     * asked, or throws AUDIT_UNAVAILABLE. Appends made in one tick share one batch.
     */
    const commitRow = async (
      request: FastifyRequest,
      reply: FastifyReply,
      entry: AuditEntry,
    ): Promise<AuditRow> => {
      const trail = auditTrailOf(request)
      const outbound = () => Promise.all(trail.outbound.map((row) => writer.append(row)))
      const transaction = trail.transaction
      if (!transaction?.open) {
        const [row] = await Promise.all([writer.append(entry), outbound()])
        return row
      }
      if (reply.statusCode >= 400) {
        // Nothing of a refused write stays; its row is written on its own.
        await transaction.rollback()
        const [row] = await Promise.all([writer.append(entry), outbound()])
        return row
      }
      let row: AuditRow
      try {
        row = await writer.appendWithin(transaction.db, entry)
      } catch (error) {
        await transaction.rollback()
        throw error
      }
      try {
        await transaction.commit()
      } catch (error) {
        throw new JaringError('AUDIT_UNAVAILABLE', { cause: error })
      }
      await outbound()
      return row
    }

    app.addHook('onSend', async (request, reply, payload) => {
      if (!request.routeOptions.config.audited) return payload
      const body = payloadBytes(payload)
      const isGraphql = graphqlPaths.has(request.routeOptions.url ?? '')
      try {
        const entry = entryOf(request, reply, body)
        const row = await commitRow(request, reply, entry)
        const trail = auditTrailOf(request)
        if (trail.direction === 'INBOUND' && trail.requestDigest && body && request.principal) {
          const receipt = await signReceipt(signingKey, {
            iss: config.agency,
            aud: request.principal.agency,
            requestId: request.id,
            seq: row.seq,
            requestDigest: trail.requestDigest,
            responseDigest: sha256Hex(body),
          })
          reply.header('jaring-receipt', receipt)
        }
        return payload
      } catch (error) {
        request.log.error({ err: error }, 'audit row not written: the response is withheld')
        app.metrics.countError('AUDIT_UNAVAILABLE')
        reply.code(503)
        reply.removeHeader('location')
        reply.removeHeader('content-length')
        reply.header('content-type', 'application/json; charset=utf-8')
        return failClosedBody(request, isGraphql)
      }
    })

    // A request that ends without a response (client gone, timeout) leaves nothing half-written.
    const abandon = async (request: FastifyRequest) => {
      const transaction = request.auditTrail?.transaction
      if (transaction?.open) await transaction.rollback()
    }
    app.addHook('onResponse', abandon)
    app.addHook('onRequestAbort', abandon)

    app.addHook('onClose', async () => {
      clearInterval(timer)
      await writer.drain()
      await checkpoint().catch((error: unknown) =>
        app.log.warn({ err: error }, 'final audit checkpoint failed'),
      )
    })
  },
  { name: 'audit', dependencies: ['database', 'operations', 'policy', 'records'] },
)
