/**
 * The REST API at `/api/v1`: list, get, create and update for cases, persons, syndicates and
 * intelligence reports, and the NDJSON import; all through the same records repositories as
 * GraphQL, so both share visibility, validation and (later) policy and audit. Every route declares
 * its scope; the auth plugin checks it. The OpenAPI document and its rendered reference are built
 * from the routes' schemas.
 */
import type { FastifyContextConfig, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { requireScope } from '../auth/principal.ts'
import { auditRoutes } from './audit.ts'
import { importRoutes } from './import.ts'
import { apiPrefix, registerDocs, registerOpenApi } from './openapi.ts'
import { resources } from './resources.ts'
import { registerRecordRoutes } from './routes.ts'
import { statisticsRoutes } from './statistics.ts'
import { restSchemaErrorFormatter, restValidatorCompiler } from './validation.ts'

export interface RestRoute {
  method: string
  url: string
  config: FastifyContextConfig
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered under /api/v1 with its config, for the scope-coverage test. */
    restRoutes: readonly RestRoute[]
  }
}

async function api(app: FastifyInstance, routes: RestRoute[]): Promise<void> {
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, config: route.config ?? {} })
  })
  // The auth plugin checks the scope before the handler; checking it here, right after the token,
  // also refuses a principal without the scope before its query or body is parsed and validated.
  app.addHook('onRequest', async (request) => {
    const { scope } = request.routeOptions.config
    if (scope !== undefined) requireScope(request.principal, scope)
  })
  // Strict bodies (no coercion, unknown fields refused) and errors that name the field at fault.
  app.setValidatorCompiler(restValidatorCompiler)
  app.setSchemaErrorFormatter(restSchemaErrorFormatter)
  for (const resource of resources) registerRecordRoutes(app, resource)
  await app.register(importRoutes)
  await app.register(auditRoutes)
  await app.register(statisticsRoutes)
}

export default fp(
  async (app) => {
    const routes: RestRoute[] = []
    app.decorate('restRoutes', routes)
    await registerOpenApi(app)
    await app.register(async (child) => api(child, routes), { prefix: apiPrefix })
    await registerDocs(app)
  },
  { name: 'rest', dependencies: ['auth', 'records', 'audit', 'stats'] },
)
