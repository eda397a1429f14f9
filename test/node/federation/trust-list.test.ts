import { createHmac } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  CompactSign,
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTrustListDraft,
  memberOf,
  parseTrustList,
  peersOf,
  prepareTrustList,
  publicKeysOf,
  readTrustAnchor,
  removeTrustMember,
  rolesOf,
  signTrustList,
  type TrustList,
  TrustListError,
  type TrustListErrorCode,
  trustListContentDigest,
  upsertTrustMember,
  validateTrustList,
  validateTrustListDraft,
  verifyTrustList,
} from '../../../services/node/federation/trust-list.ts'
import {
  craftJws,
  createTrustKeys,
  during,
  expiresAt,
  issuedAt,
  sampleList,
  secretariatAgency,
  type TrustKeys,
  trustHeader,
} from './trust-fixture.ts'

let keys: TrustKeys
beforeAll(async () => {
  keys = await createTrustKeys()
})
afterAll(async () => {
  await keys.close()
})

/** Runs a verification that must fail and returns its TrustListError. */
async function refusal(promise: Promise<unknown>): Promise<TrustListError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the list to be refused')
    },
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(TrustListError)
  return error as TrustListError
}

async function expectRefused(
  promise: Promise<unknown>,
  code: TrustListErrorCode,
  message: RegExp,
): Promise<TrustListError> {
  const error = await refusal(promise)
  expect(error.code).toBe(code)
  expect(error.message).toMatch(message)
  return error
}

const verifyDuring = (jws: string, options: { minimumVersion?: number } = {}) =>
  verifyTrustList(jws, keys.secretariat.jwks, { now: during, ...options })

/** Replaces the payload of a compact JWS, keeping header and signature. */
function withPayload(jws: string, payload: unknown): string {
  const [header, , signature] = jws.split('.')
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`
}

describe('signTrustList and verifyTrustList', () => {
  it('round-trips a list signed with the secretariat key (EdDSA), against a JWKS or a single JWK', async () => {
    const list = sampleList(keys)
    const jws = await signTrustList(list, keys.secretariat.signing)
    expect(jws.split('.')).toHaveLength(3)
    expect(decodeProtectedHeader(jws)).toEqual({
      alg: 'EdDSA',
      typ: 'trust-list+jwt',
      kid: keys.secretariat.signing.kid,
    })
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8'))
    expect(payload).toEqual(list)

    const verified = await verifyDuring(jws)
    expect(verified.list).toEqual(list)
    expect(verified.kid).toBe(keys.secretariat.signing.kid)
    expect(verified.alg).toBe('EdDSA')
    expect(verified.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Object.isFrozen(verified.list.members[1]?.keys.keys[0])).toBe(true)

    const withOneKey = await verifyTrustList(jws, keys.secretariat.publicJwk, { now: during })
    expect(withOneKey.list.version).toBe(1)
  })

  it('round-trips with an ES256 secretariat key, and accepts typ with the application/ prefix', async () => {
    const list = sampleList(keys)
    const jws = await signTrustList(list, keys.vn.signing)
    const verified = await verifyTrustList(jws, keys.vn.jwks, { now: during })
    expect(verified.alg).toBe('ES256')
    expect(verified.list.members.map((member) => member.agency)).toEqual([
      secretariatAgency,
      'TH-RTP',
      'VN-MPS',
    ])
    const prefixed = craftJws(
      { ...trustHeader(keys.secretariat), typ: 'application/Trust-List+JWT' },
      list,
      keys.secretariat,
    )
    expect((await verifyDuring(prefixed)).list.version).toBe(1)
  })

  it('refuses a tampered payload: a member added after signing', async () => {
    const list = sampleList(keys)
    const jws = await signTrustList(list, keys.secretariat.signing)
    const forged = {
      ...list,
      members: [
        ...list.members,
        {
          agency: 'XX-EVIL',
          name: 'Intruder',
          country: 'XX',
          role: 'member',
          url: 'https://evil.example',
          keys: keys.stranger.jwks,
        },
      ],
    }
    await expectRefused(
      verifyDuring(withPayload(jws, forged)),
      'TRUST_LIST_SIGNATURE_INVALID',
      /^signature: does not verify/,
    )
    // A URL redirected to another host is as much a forgery as a new member.
    const redirected = structuredClone(list) as unknown as { members: { url?: string }[] }
    ;(redirected.members[1] as { url?: string }).url = 'https://attacker.example'
    await expectRefused(
      verifyDuring(withPayload(jws, redirected)),
      'TRUST_LIST_SIGNATURE_INVALID',
      /signature/,
    )
  })

  it('refuses a damaged signature', async () => {
    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    const [header, payload, signature] = jws.split('.') as [string, string, string]
    const bytes = Buffer.from(signature, 'base64url')
    bytes[0] = (bytes[0] as number) ^ 0xff
    await expectRefused(
      verifyDuring(`${header}.${payload}.${bytes.toString('base64url')}`),
      'TRUST_LIST_SIGNATURE_INVALID',
      /signature/,
    )
  })

  it('refuses a list signed by another key, whether it names its own kid or the anchor\u2019s', async () => {
    const list = sampleList(keys)
    const ownKid = await signTrustList(list, keys.stranger.signing)
    await expectRefused(
      verifyDuring(ownKid),
      'TRUST_LIST_KEY_UNKNOWN',
      /^header\.kid: ".+" is not a key of the trust anchor/,
    )
    const borrowedKid = await signTrustList(list, {
      ...keys.stranger.signing,
      kid: keys.secretariat.signing.kid,
    })
    await expectRefused(
      verifyDuring(borrowedKid),
      'TRUST_LIST_SIGNATURE_INVALID',
      /does not verify with the anchor key/,
    )
    // The anchor of one federation does not vouch for another's list.
    const genuine = await signTrustList(list, keys.secretariat.signing)
    await expectRefused(
      verifyTrustList(genuine, keys.th.jwks, { now: during }),
      'TRUST_LIST_KEY_UNKNOWN',
      /header\.kid/,
    )
  })

  it('refuses unsigned input: bare JSON, alg none, an empty signature', async () => {
    const list = sampleList(keys)
    await expectRefused(verifyDuring(JSON.stringify(list)), 'TRUST_LIST_UNSIGNED', /bare JSON document/)
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const none = `${b64({ alg: 'none', typ: 'trust-list+jwt' })}.${b64(list)}.`
    await expectRefused(
      verifyDuring(none),
      'TRUST_LIST_UNSIGNED',
      /^header\.alg: the list carries no signature/,
    )
    const noneWithJunk = `${b64({ alg: 'none', typ: 'trust-list+jwt', kid: keys.secretariat.signing.kid })}.${b64(list)}.AAAA`
    await expectRefused(verifyDuring(noneWithJunk), 'TRUST_LIST_UNSIGNED', /alg none/)
    const jws = await signTrustList(list, keys.secretariat.signing)
    const stripped = jws.slice(0, jws.lastIndexOf('.') + 1)
    await expectRefused(verifyDuring(stripped), 'TRUST_LIST_UNSIGNED', /empty signature/)
  })

  it('refuses what is not a compact JWS, and a payload that is not JSON', async () => {
    await expectRefused(verifyDuring('not a list'), 'TRUST_LIST_MALFORMED', /compact JWS/)
    await expectRefused(verifyDuring('abc.def'), 'TRUST_LIST_MALFORMED', /compact JWS/)
    await expectRefused(verifyDuring('!!!.abc.def'), 'TRUST_LIST_MALFORMED', /compact JWS/)
    const notJson = craftJws(trustHeader(keys.secretariat), 'version: 1', keys.secretariat)
    await expectRefused(verifyDuring(notJson), 'TRUST_LIST_MALFORMED', /^payload: is not a JSON document/)
    await expectRefused(
      verifyDuring(`${'a'.repeat(1024 * 1024)}.b.c`),
      'TRUST_LIST_TOO_LARGE',
      /over 1048576 bytes/,
    )
  })

  it('refuses a wrong or missing typ', async () => {
    const list = sampleList(keys)
    for (const typ of ['JWT', 'peer+jwt', 'trust-list', undefined]) {
      const header: Record<string, unknown> = { ...trustHeader(keys.secretariat), typ }
      if (typ === undefined) delete header.typ
      await expectRefused(
        verifyDuring(craftJws(header, list, keys.secretariat)),
        'TRUST_LIST_TYPE_INVALID',
        /^header\.typ: must be trust-list\+jwt/,
      )
    }
  })

  it('refuses an algorithm outside EdDSA and ES256, and one that does not match the anchor key', async () => {
    const list = sampleList(keys)
    // HS256 keyed with the anchor's public key: the classic confusion attack.
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${b64({ alg: 'HS256', typ: 'trust-list+jwt', kid: keys.secretariat.signing.kid })}.${b64(list)}`
    const hmac = createHmac('sha256', JSON.stringify(keys.secretariat.publicJwk))
      .update(input)
      .digest('base64url')
    await expectRefused(
      verifyDuring(`${input}.${hmac}`),
      'TRUST_LIST_ALGORITHM_REFUSED',
      /^header\.alg: "HS256" is not accepted/,
    )

    const es384 = await generateKeyPair('ES384')
    const signed384 = await new CompactSign(new TextEncoder().encode(JSON.stringify(list)))
      .setProtectedHeader({ alg: 'ES384', typ: 'trust-list+jwt', kid: keys.secretariat.signing.kid })
      .sign(es384.privateKey)
    await expectRefused(verifyDuring(signed384), 'TRUST_LIST_ALGORITHM_REFUSED', /"ES384" is not accepted/)

    // An ES256 signature under the kid of the anchor's EdDSA key.
    const mismatched = craftJws(
      { alg: 'ES256', typ: 'trust-list+jwt', kid: keys.secretariat.signing.kid },
      list,
      keys.vn,
    )
    await expectRefused(
      verifyDuring(mismatched),
      'TRUST_LIST_ALGORITHM_REFUSED',
      /is ES256, but the anchor key .+ is for EdDSA/,
    )
  })

  it('refuses jku, x5u, jwk, x5c, crit and b64 headers, and a header without kid', async () => {
    const list = sampleList(keys)
    const extras: Record<string, unknown> = {
      jku: 'https://attacker.example/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      jwk: keys.stranger.publicJwk,
      x5c: ['MIIB'],
      crit: ['exp'],
      b64: false,
    }
    for (const [name, value] of Object.entries(extras)) {
      const jws = craftJws({ ...trustHeader(keys.secretariat), [name]: value }, list, keys.secretariat)
      await expectRefused(
        verifyDuring(jws),
        'TRUST_LIST_HEADER_REFUSED',
        new RegExp(`^header\\.${name}: is not accepted`),
      )
    }
    // An embedded key that would verify its own signature is still refused.
    const selfSigned = craftJws(
      { alg: 'EdDSA', typ: 'trust-list+jwt', kid: keys.stranger.signing.kid, jwk: keys.stranger.publicJwk },
      list,
      keys.stranger,
    )
    await expectRefused(verifyDuring(selfSigned), 'TRUST_LIST_HEADER_REFUSED', /header\.jwk/)
    const { kid: _kid, ...noKid } = trustHeader(keys.secretariat)
    await expectRefused(
      verifyDuring(craftJws(noKid, list, keys.secretariat)),
      'TRUST_LIST_KEY_UNKNOWN',
      /^header\.kid: is required/,
    )
  })

  it('refuses an expired list after 60 s of tolerance', async () => {
    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    const at = (seconds: number) => new Date(expiresAt.getTime() + seconds * 1000)
    expect((await verifyTrustList(jws, keys.secretariat.jwks, { now: at(59) })).list.version).toBe(1)
    await expectRefused(
      verifyTrustList(jws, keys.secretariat.jwks, { now: at(60) }),
      'TRUST_LIST_EXPIRED',
      /^expiresAt: the list expired at 2026-12-20T08:00:00Z/,
    )
    await expectRefused(
      verifyTrustList(jws, keys.secretariat.jwks, { now: at(5), clockToleranceSeconds: 0 }),
      'TRUST_LIST_EXPIRED',
      /expiresAt/,
    )
  })

  it('refuses a list issued in the future beyond the tolerance', async () => {
    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    const at = (seconds: number) => new Date(issuedAt.getTime() + seconds * 1000)
    expect((await verifyTrustList(jws, keys.secretariat.jwks, { now: at(-59) })).list.version).toBe(1)
    await expectRefused(
      verifyTrustList(jws, keys.secretariat.jwks, { now: at(-61) }),
      'TRUST_LIST_NOT_YET_VALID',
      /^issuedAt: 2026-11-20T08:00:00Z is in the future/,
    )
  })

  it('refuses a validly signed document that breaks the schema, naming the path and reason', async () => {
    const list = structuredClone(sampleList(keys)) as unknown as Record<string, unknown> & {
      members: Record<string, unknown>[]
    }
    ;(list.members[1] as Record<string, unknown>).url = 'http://127.0.0.1:4102/?debug=1'
    ;(list.members[2] as Record<string, unknown>).role = 'observer'
    list.note = 'hello'
    const jws = craftJws(trustHeader(keys.secretariat), list, keys.secretariat)
    const error = await expectRefused(
      verifyDuring(jws),
      'TRUST_LIST_INVALID',
      /members\[1\]\.url: must be a node's base URL/,
    )
    expect(error.issues.map((issue) => issue.path)).toEqual(['note', 'members[1].url', 'members[2].role'])
    expect(error.message).toContain(
      'members[2].role: unknown role "observer" (expected one of: member, partner, secretariat)',
    )
    expect(error.message).toContain('note: unknown field "note"')
  })

  it('refuses a rollback: a version lower than the one held', async () => {
    const jws = await signTrustList(sampleList(keys, { version: 2 }), keys.secretariat.signing)
    await expectRefused(
      verifyDuring(jws, { minimumVersion: 3 }),
      'TRUST_LIST_ROLLBACK',
      /^version: 2 is lower than the version already held \(3\)/,
    )
    expect((await verifyDuring(jws, { minimumVersion: 2 })).list.version).toBe(2)
  })

  it('checks the signature before reading the document: a forged invalid payload is a bad signature', async () => {
    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    await expectRefused(
      verifyDuring(withPayload(jws, { version: 0 })),
      'TRUST_LIST_SIGNATURE_INVALID',
      /signature/,
    )
  })

  it('refuses to sign an invalid list, and refuses a private key or an empty set as the anchor', async () => {
    const bad = { ...sampleList(keys), expiresAt: '2026-11-01T00:00:00Z' }
    const error = await refusal(signTrustList(bad, keys.secretariat.signing))
    expect(error.code).toBe('TRUST_LIST_INVALID')
    expect(error.message).toBe('expiresAt: must be after issuedAt (2026-11-20T08:00:00Z)')

    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    await expectRefused(
      verifyTrustList(jws, keys.secretariat.privateJwk, { now: during }),
      'TRUST_ANCHOR_INVALID',
      /^anchor\.d: is private key material/,
    )
    await expectRefused(
      verifyTrustList(jws, { keys: [] }, { now: during }),
      'TRUST_ANCHOR_INVALID',
      /anchor\.keys: must not be empty/,
    )
  })
})

describe('validateTrustList', () => {
  const paths = (document: unknown) =>
    validateTrustList(document).map((issue) => `${issue.path}: ${issue.reason}`)

  it('accepts the sample and reports nothing', () => {
    expect(validateTrustList(sampleList(keys))).toEqual([])
  })

  it('names every problem of members, URLs and keys', () => {
    const list = structuredClone(sampleList(keys)) as unknown as { members: Record<string, unknown>[] }
    const [, th, vn] = list.members as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ]
    th.url = 'ftp://127.0.0.1:4102'
    th.country = 'Thailand'
    vn.url = 'https://user:secret@node.mps.example.vn'
    vn.keys = { keys: [{ ...keys.vn.privateJwk }] }
    expect(paths(list)).toEqual([
      expect.stringMatching(
        /^members\[1\]\.country: must be an ISO 3166-1 alpha-2 country code like TH, not "Thailand"$/,
      ),
      expect.stringMatching(
        /^members\[1\]\.url: must be a node's base URL .*, not "ftp:\/\/127\.0\.0\.1:4102"$/,
      ),
      expect.stringMatching(/^members\[2\]\.url: must be a node's base URL .*not "https:\/\/user:secret@/),
      'members[2].keys.keys[0].d: is private key material: a trust list carries public keys only',
    ])
  })

  it('requires a URL of members and partners but not of a secretariat without a node', () => {
    const list = structuredClone(sampleList(keys)) as unknown as { members: Record<string, unknown>[] }
    delete (list.members[1] as Record<string, unknown>).url
    expect(paths(list)).toEqual(['members[1].url: is required'])
    expect(memberOf(sampleList(keys), secretariatAgency)?.url).toBeUndefined()
  })

  it('checks a key against its algorithm, and that it is a usable public key', () => {
    const list = structuredClone(sampleList(keys)) as unknown as {
      members: { keys: { keys: Record<string, unknown>[] } }[]
    }
    const thKey = list.members[1]?.keys.keys[0] as Record<string, unknown>
    thKey.alg = 'ES256'
    expect(paths(list)).toEqual([
      'members[1].keys.keys[0].y: is required',
      'members[1].keys.keys[0].kty: must be "EC" for alg ES256, not "OKP"',
      'members[1].keys.keys[0].crv: must be "P-256" for alg ES256, not "Ed25519"',
    ])
    const offCurve = structuredClone(sampleList(keys)) as unknown as {
      members: { keys: { keys: Record<string, unknown>[] } }[]
    }
    const vnKey = offCurve.members[2]?.keys.keys[0] as Record<string, unknown>
    vnKey.x = Buffer.alloc(32, 1).toString('base64url')
    expect(paths(offCurve)).toEqual(['members[2].keys.keys[0]: is not a usable P-256 public key'])
    const rsa = structuredClone(sampleList(keys)) as unknown as {
      members: { keys: { keys: Record<string, unknown>[] } }[]
    }
    ;(rsa.members[1] as { keys: { keys: unknown[] } }).keys.keys = [
      { kty: 'RSA', n: 'abc', e: 'AQAB', kid: 'r', alg: 'RS256' },
    ]
    expect(paths(rsa)).toEqual(
      expect.arrayContaining([
        'members[1].keys.keys[0].crv: is required',
        expect.stringMatching(/^members\[1\]\.keys\.keys\[0\]\.alg: unknown algorithm "RS256"/),
        expect.stringMatching(/^members\[1\]\.keys\.keys\[0\]\.n: unknown key member "n"/),
      ]),
    )
  })

  it('refuses duplicate agencies, duplicate kids, a second secretariat and an issuer who is not on the list', () => {
    const base = sampleList(keys)
    const duplicate = { ...base, members: [...base.members, { ...base.members[1], name: 'Again' }] }
    expect(paths(duplicate)).toEqual(['members[3].agency: TH-RTP is listed twice (also members[1])'])
    const twoKids = structuredClone(base) as unknown as { members: { keys: { keys: unknown[] } }[] }
    const thKeys = twoKids.members[1]?.keys.keys as unknown[]
    thKeys.push({ ...(thKeys[0] as object), x: keys.stranger.publicJwk.x })
    expect(paths(twoKids)).toEqual([
      expect.stringMatching(/^members\[1\]\.keys\.keys\[1\]\.kid: ".+" is used twice \(also keys\[0\]\)$/),
    ])
    const rival = structuredClone(base) as unknown as { members: Record<string, unknown>[] }
    ;(rival.members[1] as Record<string, unknown>).role = 'secretariat'
    expect(paths(rival)).toEqual([
      'members[1].role: only the issuer (ID-ASEANSEC) may be the secretariat, not TH-RTP',
    ])
    expect(paths({ ...base, issuer: 'SG-SPF' })).toEqual(
      expect.arrayContaining(['issuer: SG-SPF is not among the members']),
    )
    const demoted = structuredClone(base) as unknown as { members: Record<string, unknown>[] }
    ;(demoted.members[0] as Record<string, unknown>).role = 'member'
    ;(demoted.members[0] as Record<string, unknown>).url = 'https://sec.example.org'
    expect(paths(demoted)).toEqual([
      'issuer: ID-ASEANSEC is listed with role member; the issuer must have role secretariat',
    ])
  })

  it('requires RFC 3339 instants with a time zone, a version from 1 and at least one member', () => {
    expect(paths({ ...sampleList(keys), issuedAt: '2026-11-20 08:00', version: 0, members: [] })).toEqual([
      expect.stringMatching(/^version: must be >= 1/),
      expect.stringMatching(
        /^issuedAt: must be an RFC 3339 date-time with a time zone .*, not "2026-11-20 08:00"$/,
      ),
      'members: must not be empty',
    ])
    expect(() => parseTrustList({ version: 1 })).toThrow(/issuedAt: is required; expiresAt: is required/)
  })
})

describe('helpers', () => {
  it('find a member, its keys, the peers of a node and the roles', async () => {
    const list = sampleList(keys)
    expect(memberOf(list, 'VN-MPS')?.name).toBe('Ministry of Public Security')
    expect(memberOf(list, 'SG-SPF')).toBeUndefined()
    expect(publicKeysOf(list, 'SG-SPF')).toBeUndefined()
    expect(peersOf(list, 'TH-RTP').map((member) => member.agency)).toEqual(['VN-MPS'])
    expect(peersOf(list, 'MM-MPF').map((member) => member.agency)).toEqual(['TH-RTP', 'VN-MPS'])
    expect(rolesOf(list)).toEqual({
      [secretariatAgency]: 'secretariat',
      'TH-RTP': 'member',
      'VN-MPS': 'member',
    })

    // The keys a list holds for an agency verify what that agency signs, and nothing else.
    const thKeys = publicKeysOf(list, 'TH-RTP')
    if (!thKeys) throw new Error('TH-RTP has no keys')
    const token = await new SignJWT({ sub: 'officer-1' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'peer+jwt', kid: keys.th.signing.kid })
      .sign(keys.th.signing.key)
    expect((await jwtVerify(token, createLocalJWKSet(thKeys))).payload.sub).toBe('officer-1')
    const vnKeys = publicKeysOf(list, 'VN-MPS') as NonNullable<ReturnType<typeof publicKeysOf>>
    await expect(jwtVerify(token, createLocalJWKSet(vnKeys))).rejects.toThrow()
  })

  it('digest the content regardless of member order, version and validity window', () => {
    const list = sampleList(keys)
    const reordered = {
      ...list,
      version: 9,
      expiresAt: '2027-01-01T00:00:00Z',
      members: [...list.members].reverse(),
    }
    expect(trustListContentDigest(reordered)).toBe(trustListContentDigest(list))
    const renamed = {
      ...list,
      members: list.members.map((member, index) => (index === 1 ? { ...member, name: 'RTP' } : member)),
    }
    expect(trustListContentDigest(renamed)).not.toBe(trustListContentDigest(list))
  })

  it('read the anchor from a JWKS file or a single JWK file, and refuse a private key file', async () => {
    const anchor = await readTrustAnchor(keys.secretariat.publicJwksFile)
    const jws = await signTrustList(sampleList(keys), keys.secretariat.signing)
    expect((await verifyTrustList(jws, anchor, { now: during })).kid).toBe(keys.secretariat.signing.kid)
    const single = path.join(keys.folder, 'anchor.jwk.json')
    await writeFile(single, JSON.stringify(keys.secretariat.publicJwk))
    expect(await readTrustAnchor(single)).toEqual(keys.secretariat.publicJwk)
    await expect(readTrustAnchor(keys.secretariat.privateKeyFile)).rejects.toThrow(
      /secretariat\.private\.jwk\.json: anchor\.d: is private key material/,
    )
    await expect(readTrustAnchor(path.join(keys.folder, 'missing.json'))).rejects.toMatchObject({
      code: 'TRUST_ANCHOR_INVALID',
      message: expect.stringMatching(/missing\.json: cannot be read \(ENOENT\)/),
    })
  })
})

describe('the secretariat\u2019s draft', () => {
  const secretariat = () => ({
    agency: secretariatAgency,
    name: 'ASEAN Secretariat',
    country: 'ID',
    keys: keys.secretariat.jwks,
  })
  const thailand = () => ({
    agency: 'TH-RTP',
    name: 'Royal Thai Police',
    country: 'TH',
    role: 'member' as const,
    url: 'http://127.0.0.1:4102',
    keys: keys.th.jwks,
  })
  const window = { issuedAt, expiresAt }

  it('starts at version 1 with the secretariat, adds, replaces and removes members in agency order', () => {
    const draft = createTrustListDraft(secretariat())
    expect(draft).toEqual({
      version: 1,
      issuer: secretariatAgency,
      members: [{ ...secretariat(), role: 'secretariat' }],
    })
    const added = upsertTrustMember(draft, thailand())
    expect(added.replaced).toBe(false)
    const withVn = upsertTrustMember(added.draft, {
      agency: 'VN-MPS',
      name: 'MPS',
      country: 'VN',
      role: 'partner',
      url: 'https://node.mps.example.vn',
      keys: keys.vn.jwks,
    }).draft
    expect(withVn.members.map((member) => member.agency)).toEqual([secretariatAgency, 'TH-RTP', 'VN-MPS'])
    const replaced = upsertTrustMember(withVn, { ...thailand(), url: 'https://node.rtp.example.th' })
    expect(replaced.replaced).toBe(true)
    expect(memberOf({ ...replaced.draft, ...window } as unknown as TrustList, 'TH-RTP')?.url).toBe(
      'https://node.rtp.example.th',
    )
    expect(removeTrustMember(replaced.draft, 'VN-MPS').members).toHaveLength(2)
    expect(() => removeTrustMember(replaced.draft, secretariatAgency)).toThrow(/issuer and cannot be removed/)
    expect(() => removeTrustMember(replaced.draft, 'SG-SPF')).toThrow(/SG-SPF is not on the list/)
    expect(() =>
      upsertTrustMember(replaced.draft, { ...secretariat(), role: 'member', url: 'https://x.example' }),
    ).toThrow(/its role stays secretariat/)
    expect(() => upsertTrustMember(draft, { ...thailand(), url: 'http://127.0.0.1:4102#x' })).toThrow(
      /members\[1\]\.url: must be/,
    )
  })

  it('refuses a draft that carries a validity window or unknown fields', () => {
    const draft = createTrustListDraft(secretariat())
    expect(validateTrustListDraft({ ...draft, expiresAt: '2027-01-01T00:00:00Z', owner: 'me' })).toEqual([
      { path: 'expiresAt', reason: 'is set when the list is signed; a draft does not carry it' },
      { path: 'owner', reason: 'unknown field "owner" (expected one of: version, issuer, members, signed)' },
    ])
    expect(validateTrustListDraft({ ...draft, signed: { version: 0 } }).map((issue) => issue.path)).toEqual([
      'signed.version',
      'signed.sha256',
      'signed.issuedAt',
      'signed.expiresAt',
    ])
  })

  it('keeps the version while the content is unchanged and raises it above the latest signing otherwise', () => {
    const draft = upsertTrustMember(createTrustListDraft(secretariat()), thailand()).draft
    const first = prepareTrustList(draft, window)
    expect(first).toMatchObject({ changed: true, previousVersion: null, list: { version: 1 } })
    const signedRecord = (list: TrustList) => ({
      version: list.version,
      sha256: trustListContentDigest(list),
      issuedAt: list.issuedAt,
      expiresAt: list.expiresAt,
    })
    const afterFirst = { ...draft, signed: signedRecord(first.list) }
    expect(prepareTrustList(afterFirst, window)).toMatchObject({
      changed: false,
      previousVersion: 1,
      list: { version: 1 },
    })

    const edited = upsertTrustMember(afterFirst, { ...thailand(), name: 'RTP' }).draft
    expect(prepareTrustList(edited, window)).toMatchObject({
      changed: true,
      previousVersion: 1,
      list: { version: 2 },
    })

    // The file last published is at version 5 (signed from another copy of the draft): number above it.
    const published = { version: 5, sha256: trustListContentDigest(sampleList(keys)) }
    expect(prepareTrustList(afterFirst, { ...window, previous: published })).toMatchObject({
      changed: true,
      previousVersion: 5,
      list: { version: 6 },
    })
    // Re-signing what is already published only renews it.
    const same = { version: 5, sha256: trustListContentDigest(draft) }
    expect(prepareTrustList(afterFirst, { ...window, previous: same }).list.version).toBe(5)
    // A version raised by hand is honoured.
    expect(prepareTrustList({ ...afterFirst, version: 10 }, window).list.version).toBe(10)
  })
})

describe('TrustListError', () => {
  it('carries a stable code and the issues', () => {
    const error = new TrustListError('TRUST_LIST_EXPIRED', { path: 'expiresAt', reason: 'expired' })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('TrustListError')
    expect(error.message).toBe('expiresAt: expired')
    expect(error.issues).toEqual([{ path: 'expiresAt', reason: 'expired' }])
  })
})
