/**
 * Builds one agency node from a validated config. It registers the capabilities and never listens:
 * `server.ts` does that, and tests call `app.inject` or listen on port 0 themselves.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { DatabaseHandle } from '../../db/open.ts'
import audit from './audit/index.ts'
import auth from './auth/index.ts'
import { type NodeConfig, resolveConfigPath } from './config.ts'
import database from './database/index.ts'
import { toJaringError } from './errors.ts'
import federation from './federation/index.ts'
import graphiql from './graphiql/index.ts'
import graphql from './graphql/index.ts'
import { loggerOptions } from './logging.ts'
import operations from './operations/index.ts'
import policy from './policy/index.ts'
import records from './records/index.ts'
import rest from './rest/index.ts'
import stats from './stats/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: NodeConfig
  }
}

export interface BuildOptions {
  /** An opened database to use instead of the config's (tests share a migrated one). */
  database?: DatabaseHandle
  /** A logger to use instead of one built from the config (tests pass a silent or capturing one). */
  logger?: FastifyBaseLogger
}

/** An incoming request id is kept when it is a sane token, so a request can be followed across nodes. */
const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/

function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID()
}

/** RFC 6750 challenges: no token, a bad token, or a token without the scope. */
function authenticationChallenge(code: string, status: number): string | undefined {
  if (code === 'UNAUTHENTICATED') return 'Bearer realm="jaring"'
  if (status === 401) return `Bearer realm="jaring", error="invalid_token", error_description="${code}"`
  if (code === 'FORBIDDEN' || code === 'INTROSPECTION_FORBIDDEN')
    return 'Bearer realm="jaring", error="insufficient_scope"'
  return undefined
}

/** `listen.tls`: the certificate and key files read once, at start (a bad file stops the node here). */
function httpsOptions(config: NodeConfig): { https: { cert: Buffer; key: Buffer } } | Record<never, never> {
  const tls = config.listen.tls
  if (!tls) return {}
  const read = (setting: string, file: string) => {
    try {
      return readFileSync(resolveConfigPath(config, file))
    } catch (error) {
      throw new Error(
        `listen.tls.${setting}: ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      )
    }
  }
  return { https: { cert: read('certFile', tls.certFile), key: read('keyFile', tls.keyFile) } }
}

export async function buildApp(config: NodeConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Fastify types an HTTPS instance apart from an HTTP one; the routes and hooks are the same.
  const app = (Fastify as (options: Record<string, unknown>) => FastifyInstance)({
    ...httpsOptions(config),
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(config) }),
    genReqId: requestId,
    // One line per request is written in onResponse by the operations plugin (FACTS.md: cheaper).
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.connectionTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    handlerTimeout: config.http.handlerTimeoutMs,
    trustProxy: config.http.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  })
  app.decorate('config', config)

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  app.setErrorHandler(async (error, request, reply) => {
    const coded = toJaringError(error)
    if (coded.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error')
    else request.log.info({ code: coded.code }, 'request refused')
    reply.code(coded.status)
    const challenge = authenticationChallenge(coded.code, coded.status)
    if (challenge) reply.header('www-authenticate', challenge)
    return { ...coded.toJSON(), requestId: request.id }
  })

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404)
    return { code: 'NOT_FOUND', message: 'No such route.', requestId: request.id }
  })

  await app.register(database, { database: options.database })
  await app.register(operations)
  await app.register(auth)
  await app.register(policy)
  await app.register(records)
  await app.register(audit)
  await app.register(graphql)
  await app.register(federation)
  await app.register(graphiql)
  await app.register(stats)
  await app.register(rest)

  return app
}
