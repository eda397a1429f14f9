/**
 * `POST /federation/graphql`: what a peer asks this node (docs/protocol.md). Peer assertions only;
 * the body is verified against the assertion's digest byte for byte, so the route parses JSON
 * itself from the raw bytes. The operation runs on the same schema with this node's records only
 * (a peer request never fans out again), under the policy for the asking agency and purpose, and
 * the audit plugin writes the INBOUND row and signs the disclosure receipt it returns.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { GraphQLError } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { schemaHash } from '../../../schema/index.ts'
import { sha256Hex } from '../audit/chain.ts'
import { auditTrailOf } from '../audit/trail.ts'
import { JaringError, toJaringError } from '../errors.ts'
import { buildContext } from '../graphql/context.ts'
import { formatGraphqlErrors } from '../graphql/errors.ts'
import { verifyPeerAssertion } from './assertion.ts'

export const federationPath = '/federation/graphql'
/** The request header that carries the asker's schema hash (SHA-256 hex of `schema/`). */
export const schemaHeader = 'jaring-schema'
/** The response header that carries the disclosure receipt (written by the audit plugin). */
export const receiptHeader = 'jaring-receipt'

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a federation request's body, for its digest. */
    rawBody: Buffer | undefined
  }
}

interface PeerBody {
  query: string
  variables?: Record<string, unknown> | null
  operationName?: string | null
}

function peerBody(body: unknown): PeerBody {
  const value = body as Partial<PeerBody> | null
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof value.query !== 'string')
    throw new JaringError('BAD_REQUEST', { detail: 'The body must be a JSON object with a `query` string.' })
  const variables = value.variables
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  )
    throw new JaringError('BAD_REQUEST', { detail: '`variables` must be an object.' })
  if (
    value.operationName !== undefined &&
    value.operationName !== null &&
    typeof value.operationName !== 'string'
  )
    throw new JaringError('BAD_REQUEST', { detail: '`operationName` must be a string.' })
  return value as PeerBody
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization
  const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null
  if (!match?.[1]) throw new JaringError('PEER_ASSERTION_REQUIRED')
  return match[1]
}

export async function registerInboundRoute(
  app: FastifyInstance,
  verification: {
    remember: (entry: { issuer: string; jti: string; expiresAt: Date }) => Promise<boolean>
  },
): Promise<void> {
  const { config } = app
  const context = buildContext(app)
  await app.register(async (scope) => {
    const defaultJson = scope.getDefaultJsonParser('error', 'error')
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: config.http.bodyLimitBytes },
      (request, body, done) => {
        request.rawBody = body as Buffer
        defaultJson(request, (body as Buffer).toString('utf8'), done)
      },
    )
    scope.decorateRequest('rawBody', undefined)

    // Refusals answer in GraphQL's shape, like every answer of this endpoint.
    scope.setErrorHandler(async (error, request, reply) => {
      const coded = toJaringError(error)
      if (coded.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error')
      reply.code(coded.status)
      return {
        errors: [{ message: coded.message, extensions: { ...coded.toJSON(), requestId: request.id } }],
      }
    })

    scope.post(
      federationPath,
      {
        // Not a bearer-token route: the peer assertion is checked below, once the body's bytes are known.
        config: { public: true, rateLimit: false },
        preHandler: async (request) => {
          const trail = auditTrailOf(request)
          trail.direction = 'INBOUND'
          const token = bearer(request)
          const bytes = request.rawBody ?? Buffer.alloc(0)
          const digest = sha256Hex(bytes)
          const principal = await verifyPeerAssertion(token, {
            self: config.agency,
            member: (agency) => app.federation.trust?.member(agency),
            bodyDigest: digest,
            clockToleranceSeconds: config.federation.clockToleranceSeconds,
            remember: verification.remember,
          })
          request.principal = principal
          trail.requestDigest = digest
          const asked = request.headers[schemaHeader]
          if (asked !== schemaHash)
            throw new JaringError('SCHEMA_MISMATCH', {
              detail: `This node serves schema ${schemaHash.slice(0, 12)}; send it in the ${schemaHeader} header.`,
            })
        },
      },
      async (request, reply) => {
        const body = peerBody(request.body)
        const graphqlContext = { ...context(request), inbound: true } as unknown as MercuriusContext
        try {
          return await reply.graphql(
            body.query,
            graphqlContext,
            body.variables ?? undefined,
            body.operationName ?? undefined,
          )
        } catch (error) {
          const original = error instanceof Error ? error : new Error(String(error))
          const wrapped = new GraphQLError(original.message, { originalError: original })
          const { statusCode, response } = formatGraphqlErrors(
            { errors: [wrapped] },
            Object.assign(graphqlContext, { reply, app }),
          )
          reply.code(statusCode)
          return response
        }
      },
    )
  })
}
