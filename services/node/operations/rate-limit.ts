/**
 * Rate limits. Counted per principal (agency + subject) once the auth plugin has verified one, per
 * client address otherwise; counters live in this process's memory, so each replica counts alone.
 *
 * The limit runs as a preHandler, after authentication, so it can key by principal. Requests that
 * authentication refuses never reach it; a second counter keeps those (failed authentications per
 * address) and refuses an address that exceeds the limit before its tokens are verified again,
 * because verifying a signature costs more than answering a whole request (FACTS.md).
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { JaringError } from '../errors.ts'
import { principalOf } from './request-log.ts'

const windowMs = 60_000
/** Distinct keys remembered per counter; the least recently seen are forgotten first. */
const rememberedKeys = 10_000

export function rateLimitKey(request: FastifyRequest): string {
  const principal = principalOf(request)
  return principal ? `principal:${principal.agency}/${principal.subject}` : `address:${request.ip}`
}

function rateLimited(detail: string, retryAfterSeconds: number): JaringError {
  return new JaringError('RATE_LIMITED', { detail, extra: { retryAfterSeconds } })
}

/** Routes that declare `config: { rateLimit: false }` (health, metrics) are never limited. */
function isExempt(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { rateLimit?: unknown }).rateLimit === false
}

export async function registerRateLimits(app: FastifyInstance, maxPerMinute: number): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: maxPerMinute,
    timeWindow: windowMs,
    cache: rememberedKeys,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      rateLimited(
        `The limit is ${context.max} requests a minute; retry after ${context.after}.`,
        Math.max(1, Math.ceil(context.ttl / 1000)),
      ),
  })

  const failedAuthentications = app.createRateLimit({
    max: maxPerMinute,
    timeWindow: windowMs,
    keyGenerator: (request) => `address:${request.ip}`,
  })

  app.addHook('onRequest', async (request, reply) => {
    if (isExempt(request)) return
    const state = await failedAuthentications(request, { increment: false })
    if (state.isAllowed || !state.isExceeded) return
    const retryAfterSeconds = Math.max(1, state.ttlInSeconds)
    reply.header('retry-after', retryAfterSeconds)
    throw rateLimited(
      `Too many failed authentications from this address; retry after ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    )
  })

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) await failedAuthentications(request)
  })
}
