import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import { defaultClearance, roleScopes, roles } from '../../../services/node/auth/scopes.ts'
import { bearerToken, createTokenVerifier, type TokenVerifier } from '../../../services/node/auth/verify.ts'
import type { NodeConfig } from '../../../services/node/config.ts'
import { type ErrorCode, JaringError } from '../../../services/node/errors.ts'
import {
  type AuthKeys,
  authTestConfig,
  badTokens,
  craft,
  createAuthKeys,
  nowSeconds,
  partnerAgency,
  partnerIssuer,
} from './fixture.ts'

/** The catalogue code a verification fails with, or 'ok'. */
async function outcome(verifier: TokenVerifier, token: string): Promise<ErrorCode | 'ok'> {
  try {
    await verifier.verify(token)
    return 'ok'
  } catch (error) {
    if (error instanceof JaringError) return error.code
    throw error
  }
}

function refusal(code: ErrorCode) {
  return expect.objectContaining({ name: 'JaringError', code })
}

let keys: AuthKeys
let config: NodeConfig
let verifier: TokenVerifier

beforeAll(async () => {
  keys = await createAuthKeys()
  config = authTestConfig(keys)
  verifier = await createTokenVerifier(config)
})
afterAll(async () => {
  await keys?.close()
})

describe('a valid token', () => {
  it('yields the principal of the development issuer: agency, kind, subject, roles, scopes, clearance, jti', async () => {
    const token = await craft(keys, config, {
      claims: { sub: 'officer-0042', purpose: 'investigation', case_ref: 'TH-2026-0113' },
    })
    const principal = await verifier.verify(token)
    expect(principal).toEqual({
      kind: 'officer',
      agency: 'TH-RTP',
      subject: 'officer-0042',
      roles: ['liaison'],
      scopes: new Set(roleScopes.liaison),
      clearance: 'AMBER',
      tokenId: decodeJwt(token).jti,
      purpose: 'investigation',
      caseReference: 'TH-2026-0113',
    })
    expect(Object.isFrozen(principal)).toBe(true)
  })

  it('maps every role to its scopes and default clearance, with the kind its typ names', async () => {
    for (const role of roles) {
      const principal = await verifier.verify(await mintDevToken(config, { role }))
      expect(principal.kind).toBe(role === 'system' ? 'system' : 'officer')
      expect(principal.roles).toEqual([role])
      expect([...principal.scopes].sort()).toEqual([...roleScopes[role]].sort())
      expect(principal.clearance).toBe(defaultClearance[role])
    }
  })

  it('takes the agency from the issuer binding, not from the token', async () => {
    const token = await craft(keys, config, {
      key: keys.partner,
      claims: { iss: partnerIssuer, agency: 'TH-RTP' },
    })
    const principal = await verifier.verify(token)
    expect(principal.agency).toBe(partnerAgency)
    expect(principal.kind).toBe('officer')
  })

  it('lets a clearance claim lower the roles’ clearance', async () => {
    const principal = await verifier.verify(await craft(keys, config, { claims: { clearance: 'GREEN' } }))
    expect(principal.clearance).toBe('GREEN')
  })

  it('gives several roles the union of their scopes and the highest of their clearances', async () => {
    const token = await craft(keys, config, { claims: { roles: ['liaison', 'analyst', 'liaison'] } })
    const principal = await verifier.verify(token)
    expect(principal.roles).toEqual(['liaison', 'analyst'])
    expect(principal.scopes).toEqual(new Set([...roleScopes.liaison, ...roleScopes.analyst]))
    expect(principal.clearance).toBe('AMBER_STRICT')
  })

  it('accepts an audience list that holds this node alone', async () => {
    const token = await craft(keys, config, { claims: { aud: ['TH-RTP'] } })
    expect(await outcome(verifier, token)).toBe('ok')
  })

  it('accepts a token that expired within the clock tolerance', async () => {
    const at = nowSeconds()
    const token = await craft(keys, config, { claims: { iat: at - 600, exp: at - 30 } })
    expect(await outcome(verifier, token)).toBe('ok')
  })

  it('accepts an application/ prefix and any case in typ (RFC 8725)', async () => {
    const token = await craft(keys, config, { header: { typ: 'application/Officer+JWT' } })
    expect(await outcome(verifier, token)).toBe('ok')
  })
})

describe('a bad token', () => {
  it('fails with its own code, every one of them', async () => {
    const cases = await badTokens(keys, config)
    const outcomes = []
    for (const { name, token } of cases) outcomes.push({ name, code: await outcome(verifier, token) })
    expect(outcomes).toEqual(cases.map(({ name, code }) => ({ name, code })))
  })

  it('is never cached', async () => {
    const fresh = await createTokenVerifier(config)
    for (const { token } of await badTokens(keys, config)) await outcome(fresh, token)
    expect(fresh.stats()).toMatchObject({ hits: 0, size: 0 })
  })

  it('from a trusted issuer of a node whose development issuer is off is from an unknown issuer', async () => {
    const closed = await createTokenVerifier(authTestConfig(keys, { devIssuer: { enabled: false } }))
    expect(await outcome(closed, await craft(keys, config))).toBe('TOKEN_UNKNOWN_ISSUER')
  })
})

describe('the Authorization header', () => {
  it('must be "Bearer <token>"', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerToken('bearer  abc.def.ghi ')).toBe('abc.def.ghi')
    expect(() => bearerToken(undefined)).toThrow(refusal('UNAUTHENTICATED'))
    expect(() => bearerToken('')).toThrow(refusal('UNAUTHENTICATED'))
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(refusal('UNAUTHENTICATED'))
    expect(() => bearerToken('Bearer')).toThrow(refusal('TOKEN_INVALID'))
    expect(() => bearerToken('Bearer ')).toThrow(refusal('TOKEN_INVALID'))
    expect(() => bearerToken('Bearer abc def')).toThrow(refusal('TOKEN_INVALID'))
    expect(() => bearerToken('Bearerabc.def.ghi')).toThrow(refusal('UNAUTHENTICATED'))
  })
})

describe('the verified-token cache', () => {
  it('serves a reused token without verifying it again', async () => {
    const cached = await createTokenVerifier(config)
    const token = await craft(keys, config)
    const first = await cached.verify(token)
    const second = await cached.verify(token)
    expect(second).toBe(first)
    expect(cached.stats()).toEqual({
      hits: 1,
      misses: 1,
      size: 1,
      capacity: config.auth.verifiedTokenCacheSize,
    })
  })

  it('re-checks exp on every hit and drops the token once it has expired', async () => {
    let clock = Date.now()
    const cached = await createTokenVerifier(config, { now: () => clock })
    const at = Math.floor(clock / 1000)
    const token = await craft(keys, config, { at, claims: { exp: at + 120 } })
    await cached.verify(token)
    clock += (120 + config.auth.clockToleranceSeconds - 1) * 1000
    expect(await outcome(cached, token)).toBe('ok')
    clock += 2_000
    expect(await outcome(cached, token)).toBe('TOKEN_EXPIRED')
    expect(cached.stats()).toMatchObject({ hits: 2, size: 0 })
    expect(await outcome(cached, token)).toBe('TOKEN_EXPIRED')
  })

  it('re-checks the maximum token age on every hit', async () => {
    let clock = Date.now()
    const cached = await createTokenVerifier(config, { now: () => clock })
    const at = Math.floor(clock / 1000)
    const token = await craft(keys, config, { at, claims: { exp: at + 86_400 } })
    await cached.verify(token)
    clock += (config.auth.maxTokenAgeSeconds + config.auth.clockToleranceSeconds + 2) * 1000
    expect(await outcome(cached, token)).toBe('TOKEN_TOO_OLD')
    expect(cached.stats().size).toBe(0)
  })

  it('is bounded, forgetting the least recently used token first', async () => {
    const small = await createTokenVerifier(authTestConfig(keys, { verifiedTokenCacheSize: 2 }))
    const [a, b, c] = await Promise.all([craft(keys, config), craft(keys, config), craft(keys, config)])
    await small.verify(a as string)
    await small.verify(b as string)
    await small.verify(a as string)
    await small.verify(c as string)
    expect(small.stats()).toMatchObject({ hits: 1, misses: 3, size: 2 })
    await small.verify(a as string)
    expect(small.stats().hits).toBe(2)
    await small.verify(b as string)
    expect(small.stats()).toMatchObject({ hits: 2, misses: 4, size: 2 })
  })

  it('can be switched off (size 0)', async () => {
    const uncached = await createTokenVerifier(authTestConfig(keys, { verifiedTokenCacheSize: 0 }))
    const token = await craft(keys, config)
    await uncached.verify(token)
    await uncached.verify(token)
    expect(uncached.stats()).toEqual({ hits: 0, misses: 0, size: 0, capacity: 0 })
  })
})

describe('issuers from the config', () => {
  it('reads the development issuer’s public key from its private key file when no JWKS file is given', async () => {
    const derived = await createTokenVerifier(
      authTestConfig(keys, { devIssuer: { enabled: true, privateKeyFile: 'dev-issuer.private.jwk.json' } }),
    )
    expect(await outcome(derived, await craft(keys, config))).toBe('ok')
  })

  it('lists each issuer with its agency, kinds and key source', () => {
    expect(verifier.issuers).toEqual([
      {
        issuer: partnerIssuer,
        agency: partnerAgency,
        kinds: ['officer'],
        keySource: join(keys.folder, 'partner.jwks.json'),
      },
      {
        issuer: 'http://127.0.0.1:4102/dev-issuer',
        agency: 'TH-RTP',
        kinds: ['officer', 'system'],
        keySource: join(keys.folder, 'dev-issuer.jwks.json'),
      },
    ])
  })

  it('refuses to start with an issuer listed twice, a missing JWKS file, or a JWKS holding a private key', async () => {
    const partner = { issuer: partnerIssuer, agency: partnerAgency, jwksFile: 'partner.jwks.json' }
    await expect(createTokenVerifier(authTestConfig(keys, { issuers: [partner, partner] }))).rejects.toThrow(
      /listed twice/,
    )
    await expect(
      createTokenVerifier(authTestConfig(keys, { issuers: [{ ...partner, jwksFile: 'missing.jwks.json' }] })),
    ).rejects.toThrow(/ENOENT/)
    const leaked = join(keys.folder, 'leaked.jwks.json')
    await writeFile(leaked, JSON.stringify({ keys: [{ ...keys.partner.publicJwk, d: 'c2VjcmV0' }] }))
    await expect(
      createTokenVerifier(authTestConfig(keys, { issuers: [{ ...partner, jwksFile: leaked }] })),
    ).rejects.toThrow(/private material/)
  })
})

describe('an issuer with a remote JWKS', () => {
  let server: Server
  let stalled: Server
  let jwksUrl: string
  let stalledUrl: string

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url !== '/jwks.json') return response.writeHead(404).end()
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ keys: [keys.partner.publicJwk] }))
    })
    stalled = createServer(() => {})
    server.listen(0, '127.0.0.1')
    stalled.listen(0, '127.0.0.1')
    await Promise.all([once(server, 'listening'), once(stalled, 'listening')])
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
    stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/jwks.json`
  })
  afterAll(async () => {
    for (const listening of [server, stalled]) {
      listening?.closeAllConnections()
      listening?.close()
    }
  })

  it('verifies tokens against the keys it serves', async () => {
    const remote = await createTokenVerifier(
      authTestConfig(keys, { issuers: [{ issuer: partnerIssuer, agency: partnerAgency, jwksUrl }] }),
    )
    const token = await craft(keys, config, { key: keys.partner, claims: { iss: partnerIssuer } })
    expect((await remote.verify(token)).agency).toBe(partnerAgency)
    const stranger = await craft(keys, config, { key: keys.stranger, claims: { iss: partnerIssuer } })
    expect(await outcome(remote, stranger)).toBe('TOKEN_INVALID')
  })

  it('refuses the token and tells the operator when the JWKS does not answer in time', async () => {
    const unavailable: string[] = []
    const remote = await createTokenVerifier(
      authTestConfig(keys, {
        issuers: [{ issuer: partnerIssuer, agency: partnerAgency, jwksUrl: stalledUrl }],
      }),
      { remoteJwksTimeoutMs: 200, onKeySetUnavailable: (issuer) => unavailable.push(issuer) },
    )
    const token = await craft(keys, config, { key: keys.partner, claims: { iss: partnerIssuer } })
    await expect(remote.verify(token)).rejects.toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID', detail: "The issuer's keys could not be fetched." }),
    )
    expect(unavailable).toEqual([partnerIssuer])
  })
})
