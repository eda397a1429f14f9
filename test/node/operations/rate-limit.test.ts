import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseLabel } from '../../support/database.ts'
import { buildOperationsNode, type OperationsNode } from './fixture.ts'

const limit = 3

/** A route that needs a verified principal (no particular scope), and one open to anyone. */
function addSuiteRoutes(app: FastifyInstance): void {
  app.get('/api/v1/ping', async () => ({ ok: true }))
  app.get('/api/v1/open', { config: { public: true } }, async () => ({ ok: true }))
}

describe(`rate limits on ${testDatabaseLabel()}`, () => {
  let node: OperationsNode
  const bearer = async (subject: string) => `Bearer ${await node.token({ role: 'liaison', subject })}`
  beforeAll(async () => {
    node = await buildOperationsNode({
      config: { rateLimit: { maxPerMinute: limit } },
      extend: addSuiteRoutes,
    })
  })
  afterAll(async () => {
    await node?.close()
  })

  it('refuses a client over the limit with 429 RATE_LIMITED and Retry-After', async () => {
    const client = { url: '/api/v1/open', remoteAddress: '192.0.2.10' }
    for (let i = 0; i < limit; i++) expect((await node.app.inject(client)).statusCode).toBe(200)
    const refused = await node.app.inject(client)
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.headers['x-ratelimit-limit']).toBe(String(limit))
    expect((await node.app.inject({ ...client, remoteAddress: '192.0.2.11' })).statusCode).toBe(200)
  })

  it('never limits health probes or metrics scrapes', async () => {
    const client = { remoteAddress: '192.0.2.20' }
    for (let i = 0; i <= limit; i++) await node.app.inject({ ...client, url: '/api/v1/open' })
    for (let i = 0; i < limit * 3; i++) {
      for (const url of ['/health/live', '/health/ready', '/metrics']) {
        expect((await node.app.inject({ ...client, url })).statusCode).toBe(200)
      }
    }
  })

  it('counts per principal, not per address, once a token is verified', async () => {
    const officerA = { authorization: await bearer('officer-a') }
    const ask = (headers: Record<string, string>, remoteAddress: string) =>
      node.app.inject({ url: '/api/v1/ping', headers, remoteAddress })
    for (let i = 0; i < limit; i++) expect((await ask(officerA, '198.51.100.1')).statusCode).toBe(200)
    expect((await ask(officerA, '198.51.100.1')).statusCode).toBe(429)
    expect((await ask(officerA, '198.51.100.2')).statusCode).toBe(429)
    expect((await ask({ authorization: await bearer('officer-b') }, '198.51.100.1')).statusCode).toBe(200)
    expect((await node.app.inject({ url: '/api/v1/open', remoteAddress: '198.51.100.1' })).statusCode).toBe(
      200,
    )
  })

  it('names the principal, never its token, in the request line', async () => {
    const authorization = await bearer('officer-c')
    const response = await node.app.inject({
      url: '/api/v1/ping',
      headers: { authorization, 'x-request-id': 'trace-rl-000001' },
    })
    expect(response.statusCode).toBe(200)
    const line = node.log
      .lines()
      .find((entry) => entry.requestId === 'trace-rl-000001' && entry.msg === 'request')
    expect(line).toMatchObject({
      principal: { agency: 'TH-RTP', subject: 'officer-c' },
      route: '/api/v1/ping',
      status: 200,
    })
    const signature = authorization.split('.').at(-1) as string
    expect(node.log.raw.join('')).not.toContain(signature)
  })

  it('refuses an address whose authentications keep failing, before verifying its tokens again', async () => {
    const attacker = '203.0.113.66'
    const forged = {
      url: '/api/v1/ping',
      headers: { authorization: 'Bearer not.a.token' },
      remoteAddress: attacker,
    }
    for (let i = 0; i <= limit; i++) {
      const response = await node.app.inject(forged)
      expect(response.statusCode).toBe(401)
    }
    const refused = await node.app.inject(forged)
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' })
    expect(refused.json().message).toMatch(/failed authentications/)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    const genuine = { authorization: await bearer('officer-d') }
    expect(
      (await node.app.inject({ url: '/api/v1/ping', headers: genuine, remoteAddress: attacker })).statusCode,
    ).toBe(429)
    expect((await node.app.inject({ url: '/health/ready', remoteAddress: attacker })).statusCode).toBe(200)
    expect((await node.app.inject({ url: '/api/v1/ping', headers: genuine })).statusCode).toBe(200)
  })
})

describe(`rate limits switched off on ${testDatabaseLabel()}`, () => {
  it('answers every request when rateLimit.enabled is false', async () => {
    const node = await buildOperationsNode({
      config: { rateLimit: { enabled: false, maxPerMinute: 1 } },
      extend: addSuiteRoutes,
    })
    try {
      for (let i = 0; i < 5; i++) expect((await node.app.inject('/api/v1/open')).statusCode).toBe(200)
    } finally {
      await node.close()
    }
  })
})
