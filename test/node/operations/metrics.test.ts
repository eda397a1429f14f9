import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JaringError } from '../../../services/node/errors.ts'
import { testDatabaseDriver, testDatabaseLabel } from '../../support/database.ts'
import { parseExposition, type Sample, sampleValue } from '../../support/metrics.ts'
import { buildOperationsNode, type OperationsNode } from './fixture.ts'

async function scrape(node: OperationsNode): Promise<Sample[]> {
  const response = await node.app.inject('/metrics')
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
  return parseExposition(response.body)
}

describe(`metrics on ${testDatabaseLabel()}`, () => {
  let node: OperationsNode
  let neighbour: OperationsNode
  beforeAll(async () => {
    node = await buildOperationsNode({
      extend: (app) => {
        app.get('/api/v1/things/:id', { config: { public: true } }, async () => ({ ok: true }))
        app.get('/api/v1/refused', { config: { public: true } }, async () => {
          throw new JaringError('VALIDATION_FAILED', { detail: 'Always.' })
        })
      },
    })
    neighbour = await buildOperationsNode({ config: { agency: 'VN-MPS', country: 'VN' } })
  })
  afterAll(async () => {
    await node?.close()
    await neighbour?.close()
  })

  it('counts requests by route template, method and status, and times them', async () => {
    for (const id of ['a', 'b', 'c']) await node.app.inject(`/api/v1/things/${id}`)
    await node.app.inject('/no/such/path/1')
    await node.app.inject('/no/such/path/2')
    const samples = await scrape(node)
    const route = { route: '/api/v1/things/:id', method: 'GET' }
    expect(
      sampleValue(samples, 'jaring_http_requests_total', { ...route, status: '200', agency: 'TH-RTP' }),
    ).toBe(3)
    expect(sampleValue(samples, 'jaring_http_request_duration_seconds_count', route)).toBe(3)
    expect(
      sampleValue(samples, 'jaring_http_request_duration_seconds_bucket', { ...route, le: '+Inf' }),
    ).toBe(3)
    expect(
      sampleValue(samples, 'jaring_http_requests_total', {
        route: '(unmatched)',
        method: 'GET',
        status: '404',
      }),
    ).toBe(2)
    expect(samples.some((sample) => sample.labels.route?.startsWith('/no/such'))).toBe(false)
  })

  it('counts errors by their stable code, thrown in a route or reported by the GraphQL formatter', async () => {
    const response = await node.app.inject('/api/v1/refused')
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(sampleValue(await scrape(node), 'jaring_errors_total', { code: 'VALIDATION_FAILED' })).toBe(1)
    // A GraphQL error never reaches Fastify's error hook: the formatter counts it.
    const token = await node.token({ role: 'liaison' })
    const graphql = await node.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ noSuchField }' }),
    })
    const code = (graphql.json() as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code
    expect(code).toBe('GRAPHQL_VALIDATION_FAILED')
    const samples = await scrape(node)
    expect(sampleValue(samples, 'jaring_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1)
    expect(sampleValue(samples, 'jaring_errors_total', { code: 'VALIDATION_FAILED' })).toBe(1)
  })

  it('reports the database pool, the driver and the process', async () => {
    const samples = await scrape(node)
    expect(sampleValue(samples, 'jaring_database_pool_connections')).toBeGreaterThanOrEqual(
      testDatabaseDriver() === 'pglite' ? 1 : 0,
    )
    expect(sampleValue(samples, 'jaring_database_pool_idle')).toBeGreaterThanOrEqual(0)
    expect(sampleValue(samples, 'jaring_database_pool_waiting')).toBe(0)
    expect(sampleValue(samples, 'jaring_node_info', { database_driver: testDatabaseDriver() })).toBe(1)
    expect(sampleValue(samples, 'process_cpu_user_seconds_total', { agency: 'TH-RTP' })).toBeGreaterThan(0)
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
  })

  it('keeps each node’s counts apart within one process', async () => {
    await node.app.inject('/health/live')
    const samples = await scrape(neighbour)
    expect(samples.every((sample) => sample.labels.agency === 'VN-MPS')).toBe(true)
    expect(
      sampleValue(samples, 'jaring_http_requests_total', { route: '/api/v1/things/:id' }),
    ).toBeUndefined()
    expect(sampleValue(samples, 'jaring_http_requests_total', { route: '/health/live' })).toBeUndefined()
  })
})

describe(`metrics behind the admin scope on ${testDatabaseLabel()}`, () => {
  it('asks for a token with the admin scope when metricsPublic is false', async () => {
    const node = await buildOperationsNode({ config: { operations: { metricsPublic: false } } })
    try {
      const anonymous = await node.app.inject('/metrics')
      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' })
      const liaison = await node.token({ role: 'liaison' })
      const refused = await node.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${liaison}` },
      })
      expect(refused.statusCode).toBe(403)
      const admin = await node.token({ role: 'admin' })
      const allowed = await node.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${admin}` },
      })
      expect(allowed.statusCode).toBe(200)
      expect(
        parseExposition(allowed.body).some((sample) => sample.name === 'jaring_http_requests_total'),
      ).toBe(true)
      expect((await node.app.inject('/health/ready')).statusCode).toBe(200)
    } finally {
      await node.close()
    }
  })
})
