/**
 * GraphQL and REST parity: the same filters through both give the same records in the same order
 * with the same field values, the same pages and cursors, the same single records, the same error
 * codes, and writes through either produce the same record. The GraphQL selection is derived from
 * the REST response schema, so every field REST returns is compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Resource } from '../../../services/node/rest/resources.ts'
import { resources } from '../../../services/node/rest/resources.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { createFixtures, type Fixtures, graphql } from '../records/fixtures.ts'
import { type Json, queryString, rest } from './client.ts'

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] }

/** The GraphQL selection that asks for exactly what the REST schema returns. */
function selectionOf(schema: Schema): string {
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    if (name === 'subjects') return 'subjects { __typename ... on Record { id } }'
    const inner = objectSchema(property)
    return inner ? `${name} { ${selectionOf(inner)} }` : name
  })
  return fields.join(' ')
}

function objectSchema(schema: Schema): Schema | undefined {
  if (schema.properties) return schema
  if (schema.items) return objectSchema(schema.items)
  for (const option of schema.anyOf ?? []) {
    const found = objectSchema(option)
    if (found) return found
  }
  return undefined
}

const kindOfTypename: Record<string, string> = { Case: 'CASE', Person: 'PERSON', Syndicate: 'SYNDICATE' }

/** GraphQL's IntelSubject union as REST writes it: `{ kind, id }`. */
function asRest(record: Json): Json {
  if (!record?.subjects) return record
  return {
    ...record,
    subjects: record.subjects.map((subject: Json) => ({
      kind: kindOfTypename[subject.__typename],
      id: subject.id,
    })),
  }
}

const resource = (path: Resource['path']) =>
  resources.find((candidate) => candidate.path === path) as Resource

describe(`GraphQL and REST parity on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let fixtures: Fixtures
  let tokens: Record<'system' | 'liaison' | 'analyst', string>

  beforeAll(async () => {
    node = await buildTestApp()
    fixtures = await createFixtures(node.app.records)
    tokens = {
      system: await node.token('system'),
      liaison: await node.token('liaison'),
      analyst: await node.token('analyst'),
    }
  })

  afterAll(async () => {
    await node?.close()
  })

  /** One list through both doors; the GraphQL filter is the REST parameters, with `identifier` nested. */
  async function both(
    path: Resource['path'],
    parameters: Record<string, unknown>,
    token: string,
    selection = selectionOf(resource(path).schemas.record as Schema),
  ) {
    const { typeName, listField } = resource(path)
    const { first, after, identifierKind, identifierValue, ...filter } = parameters
    if (identifierKind !== undefined) filter.identifier = { kind: identifierKind, value: identifierValue }
    // `first` is written into the document: the cost limit prices a list by its literal page size.
    const answer = await graphql(
      node,
      token,
      `query ($filter: ${typeName}Filter, $after: Cursor) {
        ${listField}(filter: $filter, first: ${first ?? 20}, after: $after) {
          nodes { ${selection} } pageInfo { hasNextPage endCursor } peers { agency status latencyMs code }
        }
      }`,
      { filter, after },
    )
    const viaRest = await rest(node, token, 'GET', `/api/v1/${path}${queryString(parameters)}`)
    return { graphql: answer, rest: viaRest, connection: answer.data?.[listField] }
  }

  async function sameList(path: Resource['path'], parameters: Record<string, unknown>, token: string) {
    const label = `${path} ${JSON.stringify(parameters)}`
    const answer = await both(path, parameters, token)
    expect(answer.graphql.errors, label).toBeUndefined()
    expect(answer.rest.status, label).toBe(200)
    expect(answer.rest.body, label).toEqual({
      ...answer.connection,
      nodes: answer.connection.nodes.map(asRest),
    })
    return answer.rest.body
  }

  const filters: [Resource['path'], Record<string, unknown>][] = [
    ['cases', {}],
    ['cases', { statuses: ['OPEN', 'CLOSED'] }],
    ['cases', { crimeCategories: ['TRAFFICKING_IN_PERSONS', 'MONEY_LAUNDERING'], countries: ['TH'] }],
    ['cases', { openedFrom: '2024-01-01', openedTo: '2025-02-28' }],
    ['cases', { text: 'SCAM compound' }],
    ['cases', { text: 'da nang' }],
    ['cases', { tlp: ['RED', 'CLEAR'] }],
    ['cases', { externalRef: 'C-2025-001' }],
    ['persons', {}],
    ['persons', { name: 'an NGUYEN' }],
    ['persons', { name: 'ใจดี' }],
    ['persons', { phone: '081 234 5678' }],
    ['persons', { passport: 'C-1234567' }],
    ['persons', { identifierKind: 'EMAIL', identifierValue: 'an.nguyen@EXAMPLE.com' }],
    ['persons', { nationalities: ['VN', 'MM'] }],
    ['persons', { statuses: ['TRAPPED', 'DETAINED'] }],
    ['persons', { roles: ['SUSPECT'] }],
    ['persons', { tlp: ['CLEAR'] }],
    ['persons', { externalRef: 'P-100%_x' }],
    ['syndicates', {}],
    ['syndicates', { name: 'rong vang' }],
    ['syndicates', { statuses: ['DISRUPTED'] }],
    ['syndicates', { countries: ['LA'] }],
    ['syndicates', { crimeCategories: ['MONEY_LAUNDERING', 'TRAFFICKING_IN_PERSONS'] }],
    ['intel-reports', {}],
    ['intel-reports', { crimeCategories: ['TRAFFICKING_IN_PERSONS'] }],
    ['intel-reports', { reportedFrom: '2025-03-01' }],
    ['intel-reports', { sourceGradings: ['A', 'B'], informationGradings: ['ONE'] }],
    ['intel-reports', { subjectKinds: ['PERSON'] }],
  ]

  it('gives the same records, in the same order, with the same values, for every filter and reader', async () => {
    let nonEmpty = 0
    for (const [path, parameters] of filters) {
      for (const token of Object.values(tokens)) {
        const body = await sameList(path, parameters, token)
        if (body.nodes.length > 0) nonEmpty += 1
      }
    }
    // The comparison means something only when lists hold records.
    expect(nonEmpty).toBeGreaterThan(filters.length)
  })

  it('filters by a subject id the same way', async () => {
    const body = await sameList('intel-reports', { subjectId: fixtures.cases.compound.id }, tokens.system)
    expect(body.nodes.map((n: Json) => n.externalRef)).toEqual(['I-001'])
  })

  it('pages the same way: the same slices and the same cursors', async () => {
    for (const path of ['cases', 'persons'] as const) {
      let after: string | undefined
      const ids: string[] = []
      for (let page = 0; page < 10; page++) {
        const body = await sameList(path, { first: 2, ...(after ? { after } : {}) }, tokens.system)
        ids.push(...body.nodes.map((n: Json) => n.id))
        if (!body.pageInfo.hasNextPage) break
        after = body.pageInfo.endCursor
      }
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBeGreaterThanOrEqual(4)
    }
  })

  it('gives the same single record as record(id)', async () => {
    const records = [
      ['cases', fixtures.cases.compound.id],
      ['persons', fixtures.persons.wei.id],
      ['syndicates', fixtures.syndicates.dragon.id],
      ['intel-reports', fixtures.reports.compound.id],
    ] as const
    for (const [path, id] of records) {
      const { typeName } = resource(path)
      const selection = selectionOf(resource(path).schemas.record as Schema)
      for (const token of [tokens.system, tokens.liaison]) {
        const answer = await graphql(
          node,
          token,
          `query ($id: ID!) { record(id: $id) { ... on ${typeName} { ${selection} } } }`,
          { id },
        )
        const viaRest = await rest(node, token, 'GET', `/api/v1/${path}/${id}`)
        expect(answer.errors).toBeUndefined()
        expect(viaRest.body).toEqual(asRest(answer.data?.record))
      }
    }
  })

  it('refuses the same bad filters with the same codes', async () => {
    const cases: [Resource['path'], Record<string, unknown>, string][] = [
      ['persons', { phone: '12' }, 'INVALID_IDENTIFIER'],
      ['cases', { first: 101 }, 'PAGE_TOO_LARGE'],
      ['cases', { first: 0 }, 'VALIDATION_FAILED'],
      ['cases', { after: 'bm9wZQ' }, 'INVALID_CURSOR'],
      ['cases', { text: '%%' }, 'VALIDATION_FAILED'],
      ['intel-reports', { subjectId: 'nope' }, 'INVALID_GLOBAL_ID'],
    ]
    for (const [path, parameters, code] of cases) {
      // A light selection, so the cost limit (which prices `first: 101` too) does not answer first.
      const answer = await both(path, parameters, tokens.system, 'id')
      const label = `${path} ${JSON.stringify(parameters)}`
      expect(
        answer.graphql.errors?.map((error) => error.extensions.code),
        label,
      ).toEqual([code])
      expect(answer.rest.body.code, label).toBe(code)
    }
  })

  it('writes the same record through either door', async () => {
    const input = {
      title: 'Parity case',
      summary: 'Written twice.',
      crimeCategory: 'CYBERCRIME',
      country: 'TH',
      location: 'Pattaya',
      openedOn: '2025-05-05',
      persons: [{ personId: fixtures.persons.nguyen.id, role: 'VICTIM' }],
    }
    const selection = selectionOf(resource('cases').schemas.record as Schema)
    const viaGraphql = await graphql(
      node,
      tokens.system,
      `mutation ($input: CreateCaseInput!) { createCase(input: $input) { ${selection} } }`,
      { input: { ...input, externalRef: 'PARITY-GQL' } },
    )
    const viaRest = await rest(node, tokens.system, 'POST', '/api/v1/cases', {
      ...input,
      externalRef: 'PARITY-REST',
    })
    expect(viaGraphql.errors).toBeUndefined()
    const comparable = ({ id: _id, externalRef: _ref, createdAt: _c, updatedAt: _u, ...rest }: Json) => rest
    expect(comparable(viaRest.body)).toEqual(comparable(viaGraphql.data?.createCase))
  })
})
