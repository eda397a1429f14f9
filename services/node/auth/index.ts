/**
 * Authentication and route scopes. Every route is closed unless it declares `config: { public: true }`:
 * an onRequest hook verifies the bearer token and sets `request.principal`; a preHandler checks the
 * route's `config.scope`. A route with neither (GraphQL, whose scopes are checked per root field)
 * needs a verified principal only.
 */
import type { FastifyContextConfig, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { JaringError } from '../errors.ts'
import { authenticationChallenge } from './challenge.ts'
import { type Principal, requireScope } from './principal.ts'
import { isScope, type Scope } from './scopes.ts'
import { createTokenVerifier, type TokenVerifier } from './verify.ts'

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier
  }
  interface FastifyRequest {
    /** The verified principal; set on every route that is not public (null on public ones). */
    principal: Principal
  }
  interface FastifyContextConfig {
    /** The route answers without a token (health, GraphiQL's page, the OpenAPI document). */
    public?: boolean
    /** The scope a principal needs for the route; the auth plugin checks it. */
    scope?: Scope
  }
}

export type RouteAccess = { public: true } | { public: false; scope: Scope | undefined }

/** What a route demands, from its config: nothing, a verified principal, or a principal with a scope. */
export function routeAccess(config: FastifyContextConfig | undefined): RouteAccess {
  if (config?.public === true) return { public: true }
  return { public: false, scope: config?.scope }
}

function refuse(reply: FastifyReply, error: unknown): never {
  const coded = error instanceof JaringError ? error : new JaringError('TOKEN_INVALID', { cause: error })
  const challenge = authenticationChallenge(coded.code, coded.status)
  if (challenge) reply.header('www-authenticate', challenge)
  throw coded
}

export default fp(
  async (app) => {
    const verifier = await createTokenVerifier(app.config, {
      onKeySetUnavailable: (issuer, error) =>
        app.log.warn({ issuer, err: error }, "an issuer's key set could not be fetched"),
    })
    app.decorate('tokenVerifier', verifier)
    app.decorateRequest('principal', null as unknown as Principal)

    app.addHook('onRoute', (route) => {
      const config = route.config as FastifyContextConfig | undefined
      if (config?.scope !== undefined && !isScope(config.scope))
        throw new Error(`${route.method} ${route.url}: config.scope ${String(config.scope)} is not a scope`)
      if (config?.public === true && config.scope !== undefined)
        throw new Error(`${route.method} ${route.url}: a public route cannot require a scope`)
    })

    app.addHook('onRequest', async (request, reply) => {
      // Unmatched paths answer 404 with a fixed body: nothing to protect, and scanners learn no more.
      if (request.is404 || routeAccess(request.routeOptions.config).public) return
      try {
        request.principal = await verifier.authenticate(request.headers.authorization)
      } catch (error) {
        refuse(reply, error)
      }
    })

    app.addHook('preHandler', async (request, reply) => {
      const access = routeAccess(request.routeOptions.config)
      if (access.public || access.scope === undefined) return
      try {
        requireScope(request.principal, access.scope)
      } catch (error) {
        refuse(reply, error)
      }
    })
  },
  { name: 'auth', dependencies: ['database'] },
)
