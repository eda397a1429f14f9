/**
 * Operations: health probes, Prometheus metrics, one log line per request, and rate limits.
 * Registered right after the database, so its hooks see every request of every later capability.
 */
import type { FastifyContextConfig, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { JaringError, toJaringError } from '../errors.ts'
import { createNodeMetrics, type NodeMetrics } from './metrics.ts'
import { registerRateLimits } from './rate-limit.ts'
import { checkDatabase } from './readiness.ts'
import { requestLogFields, routeOf } from './request-log.ts'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: NodeMetrics
  }
}

const operationalRoutes = ['/health/live', '/health/ready', '/metrics'] as const

/** Probes and scrapes arrive every few seconds: their lines are logged at debug level only. */
function isOperational(request: FastifyRequest): boolean {
  return (operationalRoutes as readonly string[]).includes(routeOf(request))
}

export default fp(
  async (app) => {
    const { config } = app
    const metrics = createNodeMetrics({
      agency: config.agency,
      databaseDriver: app.database.driver,
      poolStats: () => app.database.poolStats(),
    })
    app.decorate('metrics', metrics)

    // The code of a refused request, for its log line (the error handler shapes the body).
    const errorCodes = new WeakMap<FastifyRequest, string>()
    app.addHook('onError', async (request, _reply, error) => {
      const { code } = toJaringError(error)
      errorCodes.set(request, code)
      metrics.countError(code)
    })

    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest({
        method: request.method,
        route: routeOf(request),
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
      })
      const fields = requestLogFields(request, reply, errorCodes.get(request))
      if (isOperational(request)) request.log.debug(fields, 'request')
      else request.log.info(fields, 'request')
    })

    if (config.rateLimit.enabled) await registerRateLimits(app, config.rateLimit.maxPerMinute)

    const unlimitedPublic: FastifyContextConfig = { public: true, rateLimit: false }
    const metricsAccess: FastifyContextConfig = config.operations.metricsPublic
      ? unlimitedPublic
      : { scope: 'admin', rateLimit: false }

    app.get('/health/live', { config: unlimitedPublic }, async () => ({ status: 'live' }))

    app.get('/health/ready', { config: unlimitedPublic }, async (request) => {
      const database = await checkDatabase(app.database, config.operations.readyTimeoutMs)
      if (!database.ready) {
        request.log.warn({ reason: database.reason }, 'database not ready')
        throw new JaringError('DATABASE_UNAVAILABLE')
      }
      return { status: 'ready', database: { driver: app.database.driver, latencyMs: database.latencyMs } }
    })

    app.get('/metrics', { config: metricsAccess }, async (_request, reply) => {
      reply.type(metrics.contentType)
      return metrics.exposition()
    })
  },
  { name: 'operations', dependencies: ['database'] },
)
