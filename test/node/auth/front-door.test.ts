/**
 * Authentication through the front door: the real app (`buildApp`) on a real test database, with
 * probe routes for each kind of access (public, authenticated only, scoped) and the node's own
 * `/metrics` behind the admin scope.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../services/node/app.ts'
import { mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import { routeAccess } from '../../../services/node/auth/index.ts'
import type { Role } from '../../../services/node/auth/scopes.ts'
import type { NodeConfig } from '../../../services/node/config.ts'
import { openTestDatabase, type TestDatabase, testDatabaseLabel } from '../../support/database.ts'
import {
  type AuthKeys,
  authTestConfig,
  badTokens,
  craft,
  createAuthKeys,
  partnerAgency,
  partnerIssuer,
} from './fixture.ts'

const invalidTokenChallenge = (code: string) =>
  `Bearer realm="jaring", error="invalid_token", error_description="${code}"`

let keys: AuthKeys
let config: NodeConfig
let database: TestDatabase
let app: FastifyInstance

beforeAll(async () => {
  keys = await createAuthKeys()
  const base = authTestConfig(keys)
  config = { ...base, operations: { ...base.operations, metricsPublic: false } }
  database = await openTestDatabase()
  app = await buildApp(config, { database })
  app.get('/probe/public', { config: { public: true } }, async (request) => ({
    principal: request.principal,
  }))
  app.get('/probe/whoami', async (request) => {
    const { kind, agency, subject, roles, scopes, clearance, tokenId } = request.principal
    return { kind, agency, subject, roles, scopes: [...scopes].sort(), clearance, tokenId }
  })
  app.get('/probe/cases', { config: { scope: 'cases:read' } }, async () => ({ cases: [] }))
  app.post('/probe/cases', { config: { scope: 'cases:write' } }, async () => ({ created: true }))
  await app.ready()
})
afterAll(async () => {
  await app?.close()
  await database?.close()
  await keys?.close()
})

function get(url: string, authorization?: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } })
}

async function bearer(role: Role): Promise<string> {
  return `Bearer ${await mintDevToken(config, { role })}`
}

describe(`authentication through the front door on ${testDatabaseLabel()}`, () => {
  it('asks for a token when there is none (401 UNAUTHENTICATED, a bare Bearer challenge)', async () => {
    const response = await get('/probe/whoami')
    expect(response.statusCode).toBe(401)
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) })
    expect(response.headers['www-authenticate']).toBe('Bearer realm="jaring"')
  })

  it('treats another scheme as no bearer token, and a malformed Bearer header as an invalid token', async () => {
    const basic = await get('/probe/whoami', 'Basic dXNlcjpwYXNz')
    expect([basic.statusCode, basic.json().code]).toEqual([401, 'UNAUTHENTICATED'])
    expect(basic.headers['www-authenticate']).toBe('Bearer realm="jaring"')
    for (const header of ['Bearer', 'Bearer two tokens', 'Bearer not-a-jwt']) {
      const response = await get('/probe/whoami', header)
      expect([response.statusCode, response.json().code], header).toEqual([401, 'TOKEN_INVALID'])
      expect(response.headers['www-authenticate']).toBe(invalidTokenChallenge('TOKEN_INVALID'))
    }
  })

  it('refuses every bad token with its code, 401 and an invalid_token challenge, and discloses nothing', async () => {
    const cases = await badTokens(keys, config)
    const outcomes = []
    for (const { name, token } of cases) {
      const response = await get('/probe/whoami', `Bearer ${token}`)
      const body = response.json()
      outcomes.push({
        name,
        status: response.statusCode,
        code: body.code,
        challenge: response.headers['www-authenticate'],
        disclosed: 'agency' in body || 'subject' in body,
      })
    }
    expect(outcomes).toEqual(
      cases.map(({ name, code }) => ({
        name,
        status: 401,
        code,
        challenge: invalidTokenChallenge(code),
        disclosed: false,
      })),
    )
  })

  it('gives a valid token its principal', async () => {
    const token = await craft(keys, config, {
      claims: { sub: 'officer-7', roles: ['analyst'], clearance: 'AMBER' },
    })
    const response = await get('/probe/whoami', `Bearer ${token}`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      kind: 'officer',
      agency: 'TH-RTP',
      subject: 'officer-7',
      roles: ['analyst'],
      scopes: [
        'cases:read',
        'intel:read',
        'intel:write',
        'persons:read',
        'policy:read',
        'stats:read',
        'syndicates:read',
      ],
      clearance: 'AMBER',
    })
  })

  it('binds a partner issuer’s principals to its agency', async () => {
    const token = await craft(keys, config, { key: keys.partner, claims: { iss: partnerIssuer } })
    const response = await get('/probe/whoami', `Bearer ${token}`)
    expect([response.statusCode, response.json().agency]).toEqual([200, partnerAgency])
  })

  it('enforces route scopes: 403 FORBIDDEN with an insufficient_scope challenge', async () => {
    expect((await get('/probe/cases', await bearer('liaison'))).statusCode).toBe(200)
    const secretariat = await get('/probe/cases', await bearer('secretariat'))
    expect([secretariat.statusCode, secretariat.json().code]).toEqual([403, 'FORBIDDEN'])
    expect(secretariat.headers['www-authenticate']).toBe('Bearer realm="jaring", error="insufficient_scope"')

    const write = (authorization: string) =>
      app.inject({ method: 'POST', url: '/probe/cases', headers: { authorization } })
    expect((await write(await bearer('liaison'))).statusCode).toBe(403)
    expect((await write(await bearer('system'))).statusCode).toBe(200)
  })

  it('puts the node’s own /metrics behind the admin scope when it is not public', async () => {
    expect((await get('/metrics')).statusCode).toBe(401)
    expect((await get('/metrics', await bearer('analyst'))).statusCode).toBe(403)
    expect((await get('/metrics', await bearer('admin'))).statusCode).toBe(200)
  })

  it('checks the token before the scope: a bad token on a scoped route is 401, not 403', async () => {
    const expired = await craft(keys, config, { claims: { iat: 1, exp: 2 } })
    const response = await get('/probe/cases', `Bearer ${expired}`)
    expect([response.statusCode, response.json().code]).toEqual([401, 'TOKEN_EXPIRED'])
  })

  it('leaves public routes and unknown paths open, and sets no principal there', async () => {
    const open = await get('/probe/public')
    expect(open.statusCode).toBe(200)
    expect(open.json()).toEqual({ principal: null })
    expect((await get('/health/live')).statusCode).toBe(200)
    const missing = await get('/no/such/route')
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'NOT_FOUND'])
  })

  it('serves a reused token from the verified-token cache', async () => {
    const authorization = await bearer('liaison')
    const before = app.tokenVerifier.stats()
    for (let round = 0; round < 3; round += 1)
      expect((await get('/probe/whoami', authorization)).statusCode).toBe(200)
    const after = app.tokenVerifier.stats()
    expect([after.misses - before.misses, after.hits - before.hits]).toEqual([1, 2])
  })
})

describe('route declarations', () => {
  it('classify routes as public, authenticated only, or scoped', () => {
    expect(routeAccess({ public: true })).toEqual({ public: true })
    expect(routeAccess({})).toEqual({ public: false, scope: undefined })
    expect(routeAccess(undefined)).toEqual({ public: false, scope: undefined })
    expect(routeAccess({ scope: 'audit:read' })).toEqual({ public: false, scope: 'audit:read' })
  })

  it('refuse a public route that requires a scope, and a scope that does not exist', async () => {
    const node = await buildApp(config, { database })
    try {
      expect(() =>
        node.get('/both', { config: { public: true, scope: 'cases:read' } }, async () => ({})),
      ).toThrow(/a public route cannot require a scope/)
      expect(() => node.get('/typo', { config: { scope: 'case:read' as never } }, async () => ({}))).toThrow(
        /is not a scope/,
      )
    } finally {
      await node.close()
    }
  })
})
