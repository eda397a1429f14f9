/**
 * The GraphQL error formatter through the front door: every error carries a catalogue code and the
 * request id, statuses follow one rule, graphql's "Did you mean" hints never leave, and an internal
 * failure shows nothing of the inside (it is logged instead, with the request id).
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JaringError } from '../../../services/node/errors.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'

interface GraphqlError {
  message: string
  path?: string[]
  extensions: { code: string; requestId?: string; [key: string]: unknown }
}

interface Answer {
  status: number
  headers: Record<string, unknown>
  text: string
  body: { data?: Record<string, unknown> | null; errors?: GraphqlError[] }
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

/** Stands in for a repository that fails the way a driver does: SQL, a constraint and an address. */
const driverFailure =
  'duplicate key value violates unique constraint "cases_pkey": INSERT INTO cases (id) VALUES ($1) -- 10.20.30.40:5432'

describe(`GraphQL errors on ${testDatabaseLabel()}`, () => {
  const log = capturingLogger()
  let node: TestApp
  let token: string

  async function post(
    query: string,
    options: { variables?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...options.headers },
      payload: JSON.stringify({ query, variables: options.variables }),
    })
    return {
      status: response.statusCode,
      headers: response.headers,
      text: response.body,
      body: response.json(),
    } as Answer
  }

  beforeAll(async () => {
    node = await buildTestApp({ logger: log.logger })
    token = await node.token('liaison')
    // Fields that fail on purpose, so each kind of failure is produced exactly, whatever the records do.
    await node.app.graphql.extendSchema(`extend type Query {
      probeInternal: String!
      probeForbidden: String!
      probeNotFound: String
      probeUnavailable: String!
    }`)
    node.app.graphql.defineResolvers({
      Query: {
        probeInternal: () => {
          throw new Error(driverFailure)
        },
        probeForbidden: () => {
          throw new JaringError('FORBIDDEN', { detail: 'This needs the scope cases:read.' })
        },
        probeNotFound: () => {
          throw new JaringError('NOT_FOUND')
        },
        probeUnavailable: () => {
          throw new JaringError('DATABASE_UNAVAILABLE')
        },
      },
    })
  })
  afterAll(async () => {
    await node?.close()
  })

  it('shows no internals for an internal error, and logs the original with the request id', async () => {
    const answer = await post('{ probeInternal }', { headers: { 'x-request-id': 'probe-internal-0001' } })
    expect(answer.status).toBe(500)
    expect(answer.body.errors).toEqual([
      {
        message: 'An internal error occurred; it has been logged.',
        locations: [{ line: 1, column: 3 }],
        path: ['probeInternal'],
        extensions: { code: 'INTERNAL', requestId: 'probe-internal-0001' },
      },
    ])
    expect(answer.text).not.toMatch(/cases_pkey|INSERT|10\.20\.30\.40|5432|constraint|\.ts:\d+|at \w+ \(/)
    const logged = log.lines.find((line) => line.msg === 'GraphQL internal error')
    expect(logged).toMatchObject({ requestId: 'probe-internal-0001', err: { message: driverFailure } })
  })

  it('answers 200 when there is data, with the error that explains the missing part', async () => {
    const answer = await post('{ __typename probeNotFound }')
    expect(answer.status).toBe(200)
    expect(answer.body.data).toEqual({ __typename: 'Query', probeNotFound: null })
    expect(answer.body.errors?.map((error) => [error.extensions.code, error.path])).toEqual([
      ['NOT_FOUND', ['probeNotFound']],
    ])
  })

  it('answers with the catalogue status when there is no data: 403 for a refused scope, 503 when unavailable', async () => {
    const forbidden = await post('{ probeForbidden }')
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.data).toBeNull()
    expect(forbidden.body.errors?.[0]).toMatchObject({
      message: 'The principal lacks the scope this operation needs. This needs the scope cases:read.',
      extensions: { code: 'FORBIDDEN' },
    })
    expect(forbidden.headers['www-authenticate']).toBe('Bearer realm="jaring", error="insufficient_scope"')

    const unavailable = await post('{ probeUnavailable }')
    expect(unavailable.status).toBe(503)
    expect(unavailable.body.errors?.[0]?.extensions.code).toBe('DATABASE_UNAVAILABLE')
  })

  it('answers 401 with a challenge when the token is missing or bad', async () => {
    const missing = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ __typename }' }),
    })
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="jaring"')
    expect(missing.json().errors[0].extensions.code).toBe('UNAUTHENTICATED')

    const bad = await post('{ __typename }', { headers: { authorization: 'Bearer not.a.token' } })
    expect(bad.status).toBe(401)
    expect(bad.body.errors?.[0]?.extensions.code).toMatch(/^TOKEN_/)
  })

  it('answers 400 for one validation error and for several alike (mercurius alone says 200 for two)', async () => {
    const one = await post('{ persons { nodes { nickname } } }')
    const two = await post('{ persons { nodes { nickname shoeSize } } }')
    for (const answer of [one, two]) {
      expect(answer.status).toBe(400)
      expect(answer.body.data).toBeUndefined()
      expect(new Set(answer.body.errors?.map((error) => error.extensions.code))).toEqual(
        new Set(['GRAPHQL_VALIDATION_FAILED']),
      )
    }
    expect(two.body.errors).toHaveLength(2)
  })

  it('answers 400 GRAPHQL_PARSE_FAILED for a document that does not parse', async () => {
    const answer = await post('{ persons { nodes { id } ')
    expect(answer.status).toBe(400)
    expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual(['GRAPHQL_PARSE_FAILED'])
  })

  it('never says "Did you mean": fields, arguments, input fields, enum values, types, leaf selections', async () => {
    const misspelt = [
      '{ persons { nodes { idd } } }',
      '{ persons(frist: 5) { nodes { id } } }',
      '{ persons(filter: { nmae: "Somchai" }) { nodes { id } } }',
      '{ cases(filter: { tlp: [AMBR] }) { nodes { id } } }',
      '{ record(id: "TH-RTP:00000000-0000-4000-8000-000000000000") { ... on Persn { id } } }',
      '{ cases }',
    ]
    for (const query of misspelt) {
      const answer = await post(query)
      expect(answer.status, query).toBe(400)
      expect(answer.body.errors?.length, query).toBeGreaterThan(0)
      expect(answer.text, query).not.toMatch(/did you mean/i)
      for (const error of answer.body.errors ?? [])
        expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED')
    }
    const variable = await post('query ($tlp: [Tlp!]) { cases(filter: { tlp: $tlp }) { nodes { id } } }', {
      variables: { tlp: ['AMBR'] },
    })
    expect(variable.status).toBe(400)
    expect(variable.body.errors?.[0]?.message).toMatch(/AMBR/)
    expect(variable.text).not.toMatch(/did you mean/i)
  })

  it('puts the request id on every error, keeping an incoming x-request-id', async () => {
    const answer = await post('{ persons { nodes { idd } } probeNotFound }', {
      headers: { 'x-request-id': 'client-chosen-id-42' },
    })
    expect(answer.headers['x-request-id']).toBe('client-chosen-id-42')
    expect(answer.body.errors?.length).toBeGreaterThan(0)
    for (const error of answer.body.errors ?? [])
      expect(error.extensions.requestId).toBe('client-chosen-id-42')
  })
})
