import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseLabel } from '../../support/database.ts'
import { buildOperationsNode, type LogLine, type OperationsNode } from './fixture.ts'

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const secretToken = 'eyJhbGciOiJFZERTQSJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1sZWFr'

describe(`one log line per request on ${testDatabaseLabel()}`, () => {
  let node: OperationsNode
  beforeAll(async () => {
    node = await buildOperationsNode({
      extend: (app) => {
        app.post('/api/v1/echo', { config: { public: true } }, async () => ({ ok: true }))
      },
    })
  })
  afterAll(async () => {
    await node?.close()
  })

  function requestLines(requestId: string): LogLine[] {
    return node.log.lines().filter((line) => line.requestId === requestId && line.msg === 'request')
  }

  it('writes exactly one line with method, route template, status, duration and request id', async () => {
    const response = await node.app.inject({
      method: 'POST',
      url: '/api/v1/echo?phone=%2B66812345678',
      headers: { authorization: `Bearer ${secretToken}`, 'x-request-id': 'trace-0001-abcdef' },
      payload: { name: 'Somchai Jaidee', passport: 'AA1234567' },
    })
    expect(response.statusCode).toBe(200)
    const lines = requestLines('trace-0001-abcdef')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 30, method: 'POST', route: '/api/v1/echo', status: 200 })
    expect(typeof lines[0]?.ms).toBe('number')
    const everything = node.log.raw.join('')
    for (const secret of [secretToken, 'c2lnbmF0dXJl', 'Bearer', 'Somchai', 'AA1234567', '66812345678']) {
      expect(everything).not.toContain(secret)
    }
  })

  it('adds the error code of a refused request to its line', async () => {
    await node.app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      headers: { 'x-request-id': 'trace-0002-abcdef', 'content-type': 'application/json' },
      payload: '{"broken',
    })
    expect(requestLines('trace-0002-abcdef')).toEqual([
      expect.objectContaining({ status: 400, code: 'BAD_REQUEST', route: '/api/v1/echo' }),
    ])
  })

  it('logs probes and scrapes at debug level only', async () => {
    await node.app.inject({ url: '/health/live', headers: { 'x-request-id': 'trace-0003-abcdef' } })
    expect(requestLines('trace-0003-abcdef')).toEqual([])
  })

  it('keeps a sane incoming x-request-id and echoes it', async () => {
    const response = await node.app.inject({
      url: '/health/live',
      headers: { 'x-request-id': 'HK-HKPF:7f3a.trace_42' },
    })
    expect(response.headers['x-request-id']).toBe('HK-HKPF:7f3a.trace_42')
  })

  it('generates a request id when none comes in, or when the incoming one is not a sane token', async () => {
    const none = await node.app.inject('/health/live')
    expect(none.headers['x-request-id']).toMatch(uuidPattern)
    const hostile = await node.app.inject({
      url: '/health/live',
      headers: { 'x-request-id': 'x"}\n{"level":60,"msg":"forged' },
    })
    expect(hostile.headers['x-request-id']).toMatch(uuidPattern)
    const other = await node.app.inject('/health/live')
    expect(other.headers['x-request-id']).not.toBe(none.headers['x-request-id'])
  })
})
