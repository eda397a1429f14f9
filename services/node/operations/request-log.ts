import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from '../auth/principal.ts'

/** The label for requests that matched no route: one series, whatever path was asked for. */
export const unmatchedRoute = '(unmatched)'

/** The principal the auth plugin verified, if any (health, metrics and refused requests have none). */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return (request.principal as Principal | null) ?? undefined
}

/** The route template, never the raw path: paths and query strings may carry identifiers. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? unmatchedRoute
}

/**
 * The fields of the one line logged per request. Deliberately no URL, query string, headers or body:
 * they may carry tokens or personal data. The request id comes from the request's child logger.
 */
export function requestLogFields(
  request: FastifyRequest,
  reply: FastifyReply,
  errorCode?: string,
): Record<string, unknown> {
  const principal = principalOf(request)
  return {
    method: request.method,
    route: routeOf(request),
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 100) / 100,
    ...(errorCode ? { code: errorCode } : {}),
    ...(principal ? { principal: { agency: principal.agency, subject: principal.subject } } : {}),
  }
}
