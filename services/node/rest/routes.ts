/**
 * List, get, create and update for each record resource, built from the resource table. Handlers
 * are thin: parameters in, one repository call, the page or record out, presented as JSON with the
 * same field names and values as the GraphQL types. The repositories check every value again, so
 * their coded errors (with `path`) reach the client as they do through GraphQL.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TSchema } from 'typebox'
import { auditTrailOf } from '../audit/trail.ts'
import type { Scope } from '../auth/scopes.ts'
import { JaringError } from '../errors.ts'
import { requestRecords } from '../records/index.ts'
import type { AnyRecord } from '../records/types.ts'
import { errorResponses, operationDocs } from './openapi.ts'
import type { Resource } from './resources.ts'
import { RecordParams } from './schemas.ts'

type Json = Record<string, unknown>

/** Repository paths name their inputs from the root; in REST a few sit elsewhere (the query string). */
async function remapPaths<T>(work: Promise<T>, remap: (path: string) => string): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (error instanceof JaringError && error.path) {
      const path = remap(error.path)
      if (path !== error.path) {
        throw new JaringError(error.code, {
          path,
          ...(error.detail ? { detail: error.detail } : {}),
          ...(error.extra ? { extra: error.extra } : {}),
        })
      }
    }
    throw error
  }
}

/** The names of the query parameters that are lists, so `a,b` can be split before validation. */
function listParameters(schema: TSchema): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'array')
    .map(([name]) => name)
}

/** `statuses=OPEN,CLOSED` and `statuses=OPEN&statuses=CLOSED` both become `['OPEN', 'CLOSED']`. */
function splitLists(names: readonly string[]) {
  return async (request: FastifyRequest) => {
    const query = request.query as Record<string, unknown>
    let split: Record<string, unknown> | undefined
    for (const name of names) {
      const value = query[name]
      if (value === undefined) continue
      const values = (Array.isArray(value) ? value : [value]).flatMap((item) =>
        typeof item === 'string' ? item.split(',') : [item],
      )
      split ??= { ...query }
      split[name] = values
    }
    if (split) request.query = split
  }
}

export function registerRecordRoutes(api: FastifyInstance, resource: Resource): void {
  const { schemas, path, plural, singular } = resource
  const route = (method: string, suffix: string, scope: Scope) => ({
    method,
    url: `/${path}${suffix}`,
    config: { scope },
  })
  const access = (request: FastifyRequest) =>
    requestRecords(request).access(request.principal, auditTrailOf(request).recordIds)
  const present = async (request: FastifyRequest, records: AnyRecord[]) =>
    resource.present(requestRecords(request), access(request), records)
  const presentOne = async (request: FastifyRequest, record: AnyRecord) =>
    (await present(request, [record]))[0] as Json

  api.route({
    ...route('GET', '', resource.readScope),
    preValidation: splitLists(listParameters(schemas.listQuery)),
    schema: {
      ...operationDocs({
        operationId: `list${resource.typeName}s`,
        tag: path,
        scope: resource.readScope,
        summary: `List ${plural}`,
        description: `The ${plural} the reader may see, matching every given filter, newest first, as the GraphQL \`${resource.listField}\` query returns them. List parameters take several values, repeated or comma-separated.`,
      }),
      querystring: schemas.listQuery,
      response: { 200: schemas.connection, ...errorResponses },
    },
    handler: async (request) => {
      const { first, after, ...parameters } = request.query as Json
      const page = await remapPaths(
        resource.repository(requestRecords(request)).list(access(request), {
          filter: resource.filterOf(parameters),
          ...(first !== undefined ? { first: first as number } : {}),
          ...(after !== undefined ? { after: after as string } : {}),
        }),
        resource.parameterOf,
      )
      return { nodes: await present(request, page.nodes), pageInfo: page.pageInfo, peers: [] }
    },
  })

  api.route({
    ...route('GET', '/:id', resource.readScope),
    schema: {
      ...operationDocs({
        operationId: `get${resource.typeName}`,
        tag: path,
        scope: resource.readScope,
        summary: `Get a ${singular}`,
        description: `One ${singular} of this node by its global id; NOT_FOUND when it does not exist or the reader may not see it.`,
      }),
      params: RecordParams,
      response: { 200: schemas.record, ...errorResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string }
      const record = await resource.repository(requestRecords(request)).get(access(request), id)
      if (!record) throw new JaringError('NOT_FOUND', { path: 'id' })
      return presentOne(request, record)
    },
  })

  api.route({
    ...route('POST', '', resource.writeScope),
    schema: {
      ...operationDocs({
        operationId: `create${resource.typeName}`,
        tag: path,
        scope: resource.writeScope,
        summary: `Create a ${singular}`,
        description: `Creates a ${singular} of this agency. Idempotent on \`externalRef\`: the same input again returns the existing ${singular}; a different input with the same reference is DUPLICATE_EXTERNAL_REF (409).`,
      }),
      body: schemas.create,
      response: { 201: schemas.record, ...errorResponses },
    },
    handler: async (request, reply) => {
      const record = await resource
        .repository(requestRecords(request))
        .create(access(request), request.body as Json)
      reply.code(201).header('location', `/api/v1/${path}/${record.id}`)
      return presentOne(request, record)
    },
  })

  api.route({
    ...route('PATCH', '/:id', resource.writeScope),
    schema: {
      ...operationDocs({
        operationId: `update${resource.typeName}`,
        tag: path,
        scope: resource.writeScope,
        summary: `Update a ${singular}`,
        description: `Changes the ${singular} at the quoted \`version\`; fields left out keep their values, \`null\` clears a field that may be empty, a list replaces the whole list. VERSION_CONFLICT (409, with \`currentVersion\`) when the ${singular} has changed since.`,
      }),
      params: RecordParams,
      body: schemas.update,
      response: { 200: schemas.record, ...errorResponses },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string }
      const record = await resource
        .repository(requestRecords(request))
        .update(access(request), { ...(request.body as Json), id })
      return presentOne(request, record)
    },
  })
}
