/**
 * The GraphQL endpoint (`POST /graphql`): mercurius over the shared schema, with the resolvers,
 * loaders and per-request context of this folder. Every registration option is in `graphqlOptions`
 * so the limits, the error formatter and the per-request checks plug in at one place.
 */

import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { buildSchema, type GraphQLSchema } from 'graphql'
import mercurius, { type MercuriusOptions } from 'mercurius'
import { sdl } from '../../../schema/index.ts'
import { attachWithheld, reportWithheldFields } from '../policy/graphql.ts'
import { auditOperation, auditWithheld } from './audit.ts'
import { buildContext } from './context.ts'
import { formatGraphqlErrors } from './errors.ts'
import { guardIntrospection } from './introspection.ts'
import { guardSource, limitOptions } from './limits.ts'
import { graphqlLoaders } from './loaders.ts'
import { resolvers } from './resolvers/index.ts'
import { scopeOfRootField } from './scopes.ts'

/** Root types whose fields reach data: each field needs a scope and a resolver. */
const rootTypes = ['Query', 'Mutation', 'Subscription'] as const

/** Refuses to start when a root field of the schema has no scope or no resolver (deny by default). */
export function assertRootFieldsCovered(schema: GraphQLSchema, implemented: Record<string, unknown>): void {
  for (const typeName of rootTypes) {
    const type = schema.getType(typeName)
    if (!type || !('getFields' in type)) continue
    const resolved = (implemented[typeName] ?? {}) as Record<string, unknown>
    for (const field of Object.keys(type.getFields())) {
      if (!scopeOfRootField(typeName, field))
        throw new Error(`${typeName}.${field} has no scope (graphql/scopes.ts)`)
      if (typeof resolved[field] !== 'function') throw new Error(`${typeName}.${field} has no resolver`)
    }
  }
}

export function graphqlOptions(app: FastifyInstance): MercuriusOptions {
  return {
    schema: sdl,
    resolvers,
    loaders: graphqlLoaders,
    context: buildContext(app),
    path: '/graphql',
    routes: true,
    graphiql: false,
    ide: false,
    jit: 1,
    ...limitOptions(app.config.graphql),
    errorFormatter: formatGraphqlErrors,
  }
}

export default fp(
  async (app) => {
    assertRootFieldsCovered(buildSchema(sdl), resolvers as Record<string, unknown>)
    await app.register(mercurius, graphqlOptions(app))
    reportWithheldFields(app.graphql.schema)
    app.graphql.addHook('onResolution', attachWithheld)
    app.graphql.addHook('preParsing', guardSource)
    app.graphql.addHook('preExecution', guardIntrospection)
    app.graphql.addHook('preExecution', auditOperation(app))
    app.graphql.addHook('onResolution', auditWithheld)
  },
  { name: 'graphql', dependencies: ['records', 'audit'] },
)
