/**
 * Keys, config and token crafting for the auth suites. Every token is really signed (jose SignJWT
 * with real keys); the ones jose refuses to produce (`alg: none`, HS256 over the public key, `crit`)
 * are assembled by hand from base64url JSON.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type JWK, SignJWT } from 'jose'
import {
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  type SigningAlgorithm,
  writeSigningKeyFiles,
} from '../../../services/node/auth/keys.ts'
import { type NodeConfig, tokenAudience } from '../../../services/node/config.ts'
import type { ErrorCode } from '../../../services/node/errors.ts'
import { testNodeConfig } from '../../support/app.ts'

/** An issuer the test node trusts besides its development issuer: another agency's, officers only. */
export const partnerIssuer = 'https://idp.dsi.example.th/'
export const partnerAgency = 'TH-DSI'

export interface KeyPair {
  signing: PrivateSigningKey
  publicJwk: JWK
  publicJwksFile: string
}

export interface AuthKeys {
  folder: string
  /** The node's development issuer (EdDSA). */
  dev: KeyPair
  /** The partner issuer (ES256), listed in `auth.issuers` with a JWKS file. */
  partner: KeyPair
  /** A key nobody trusts. */
  stranger: KeyPair
  close(): Promise<void>
}

async function keyPair(folder: string, name: string, alg: SigningAlgorithm): Promise<KeyPair> {
  const files = await writeSigningKeyFiles(join(folder, name), alg)
  const jwks = await readJwks(files.publicJwksFile)
  return {
    signing: await readPrivateSigningKey(files.privateKeyFile),
    publicJwk: jwks.keys[0] as JWK,
    publicJwksFile: files.publicJwksFile,
  }
}

/** Writes `dev-issuer.*` and `federation.*` (the names test/support/app.ts expects), `partner.*` and `stranger.*`. */
export async function createAuthKeys(): Promise<AuthKeys> {
  const folder = await mkdtemp(join(tmpdir(), 'jaring-auth-'))
  await writeSigningKeyFiles(join(folder, 'federation'))
  return {
    folder,
    dev: await keyPair(folder, 'dev-issuer', 'EdDSA'),
    partner: await keyPair(folder, 'partner', 'ES256'),
    stranger: await keyPair(folder, 'stranger', 'EdDSA'),
    close: () => rm(folder, { recursive: true, force: true }),
  }
}

/** The test node's config with the partner issuer added; `auth` settings merge over the defaults. */
export function authTestConfig(keys: AuthKeys, auth: Record<string, unknown> = {}): NodeConfig {
  const base = testNodeConfig(keys.folder)
  return testNodeConfig(keys.folder, {
    auth: {
      devIssuer: base.auth.devIssuer,
      issuers: [
        { issuer: partnerIssuer, agency: partnerAgency, kinds: ['officer'], jwksFile: 'partner.jwks.json' },
      ],
      ...auth,
    },
  })
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

export interface CraftOptions {
  /** Signing key (default: the development issuer's). */
  key?: KeyPair
  /** Header members merged over `{ alg, kid, typ: 'officer+jwt' }`; undefined removes one. */
  header?: Record<string, unknown>
  /** Claims merged over a valid liaison token's; undefined removes one. */
  claims?: Record<string, unknown>
  /** The clock, in seconds (default: now). */
  at?: number
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))
}

export function validClaims(config: NodeConfig, at: number): Record<string, unknown> {
  return {
    iss: `${config.publicUrl}/dev-issuer`,
    aud: tokenAudience(config),
    sub: 'officer-0042',
    jti: randomUUID(),
    iat: at,
    exp: at + 600,
    roles: ['liaison'],
  }
}

/** A really signed token: valid for the test node unless the options say otherwise. */
export async function craft(keys: AuthKeys, config: NodeConfig, options: CraftOptions = {}): Promise<string> {
  const key = options.key ?? keys.dev
  const header = withoutUndefined({
    alg: key.signing.alg,
    kid: key.signing.kid,
    typ: 'officer+jwt',
    ...options.header,
  })
  const claims = withoutUndefined({ ...validClaims(config, options.at ?? nowSeconds()), ...options.claims })
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.signing.key)
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A token assembled by hand, for the shapes jose will not sign. */
export function assemble(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  sign: (signingInput: string) => string = () => '',
): string {
  const signingInput = `${base64url(header)}.${base64url(claims)}`
  return `${signingInput}.${sign(signingInput)}`
}

export interface BadToken {
  name: string
  token: string
  code: ErrorCode
}

/** Every way a token must fail, with the code it must fail with. */
export async function badTokens(keys: AuthKeys, config: NodeConfig): Promise<BadToken[]> {
  const at = nowSeconds()
  const valid = validClaims(config, at)
  const devHeader = { alg: 'EdDSA', kid: keys.dev.signing.kid, typ: 'officer+jwt' }
  const validToken = await craft(keys, config)
  const [headerPart, , signaturePart] = validToken.split('.')
  const tampered = `${headerPart}.${base64url({ ...valid, roles: ['system'] })}.${signaturePart}`
  const hmacOverPublicKey = (input: string) =>
    createHmac('sha256', JSON.stringify(keys.dev.publicJwk)).update(input).digest('base64url')
  const hmacOverKeyBytes = (input: string) =>
    createHmac('sha256', Buffer.from(String(keys.dev.publicJwk.x), 'base64url'))
      .update(input)
      .digest('base64url')
  const oversizedPadding = 'x'.repeat(config.auth.maxTokenBytes)

  const cases: Array<[string, Promise<string> | string, ErrorCode]> = [
    ['not a JWT at all', 'not-a-token', 'TOKEN_INVALID'],
    ['three parts of garbage', 'abc.def.ghi', 'TOKEN_INVALID'],
    ['a signature that does not verify (tampered payload)', tampered, 'TOKEN_INVALID'],
    [
      'signed by an untrusted key under the trusted kid',
      craft(keys, config, { key: keys.stranger, header: { kid: keys.dev.signing.kid } }),
      'TOKEN_INVALID',
    ],
    ['an unknown kid', craft(keys, config, { key: keys.stranger }), 'TOKEN_INVALID'],
    ['no kid', craft(keys, config, { header: { kid: undefined } }), 'TOKEN_INVALID'],
    [
      'an issuer the node does not trust',
      craft(keys, config, { claims: { iss: 'https://evil.example/' } }),
      'TOKEN_UNKNOWN_ISSUER',
    ],
    ['no issuer', craft(keys, config, { claims: { iss: undefined } }), 'TOKEN_INVALID'],
    [
      'a trusted issuer signing for another (partner key, dev issuer iss)',
      craft(keys, config, { key: keys.partner, claims: { iss: valid.iss } }),
      'TOKEN_INVALID',
    ],
    [
      'a kind the issuer may not sign (partner system token)',
      craft(keys, config, {
        key: keys.partner,
        header: { typ: 'system+jwt' },
        claims: { iss: partnerIssuer, roles: ['system'] },
      }),
      'TOKEN_INVALID',
    ],
    [
      'another node as audience',
      craft(keys, config, { claims: { aud: 'VN-MPS' } }),
      'TOKEN_AUDIENCE_MISMATCH',
    ],
    [
      'several audiences, this node among them',
      craft(keys, config, { claims: { aud: [tokenAudience(config), 'VN-MPS'] } }),
      'TOKEN_AUDIENCE_MISMATCH',
    ],
    ['no audience', craft(keys, config, { claims: { aud: undefined } }), 'TOKEN_AUDIENCE_MISMATCH'],
    [
      'expired beyond the clock tolerance',
      craft(keys, config, { claims: { iat: at - 700, exp: at - 61 } }),
      'TOKEN_EXPIRED',
    ],
    [
      'not valid before a time beyond the tolerance (nbf)',
      craft(keys, config, { claims: { nbf: at + 300 } }),
      'TOKEN_NOT_YET_VALID',
    ],
    [
      'issued in the future beyond the tolerance (iat)',
      craft(keys, config, { claims: { iat: at + 300, exp: at + 900 } }),
      'TOKEN_NOT_YET_VALID',
    ],
    [
      'older than the maximum token age',
      craft(keys, config, { claims: { iat: at - config.auth.maxTokenAgeSeconds - 120, exp: at + 600 } }),
      'TOKEN_TOO_OLD',
    ],
    ['no exp', craft(keys, config, { claims: { exp: undefined } }), 'TOKEN_INVALID'],
    ['no iat', craft(keys, config, { claims: { iat: undefined } }), 'TOKEN_INVALID'],
    ['no jti', craft(keys, config, { claims: { jti: undefined } }), 'TOKEN_INVALID'],
    ['no sub', craft(keys, config, { claims: { sub: undefined } }), 'TOKEN_INVALID'],
    ['a non-numeric exp', craft(keys, config, { claims: { exp: 'tomorrow' } }), 'TOKEN_INVALID'],
    ['alg: none', assemble({ ...devHeader, alg: 'none' }, valid), 'TOKEN_ALGORITHM_REFUSED'],
    [
      'HS256 keyed with the public JWK',
      assemble({ ...devHeader, alg: 'HS256' }, valid, hmacOverPublicKey),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'HS256 keyed with the public key bytes',
      assemble({ ...devHeader, alg: 'HS256' }, valid, hmacOverKeyBytes),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'RS256',
      assemble({ ...devHeader, alg: 'RS256' }, valid, () => 'c2lnbmF0dXJl'),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'an embedded jwk header (attacker key)',
      craft(keys, config, {
        key: keys.stranger,
        header: { kid: keys.dev.signing.kid, jwk: keys.stranger.publicJwk },
      }),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'a jku header',
      craft(keys, config, { header: { jku: 'https://evil.example/jwks.json' } }),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'an x5u header',
      craft(keys, config, { header: { x5u: 'https://evil.example/cert.pem' } }),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    ['an x5c header', craft(keys, config, { header: { x5c: ['MIIB'] } }), 'TOKEN_ALGORITHM_REFUSED'],
    [
      'a crit header',
      assemble({ ...devHeader, crit: ['exp'] }, valid, () => 'c2lnbmF0dXJl'),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'an oversized (but validly signed) token',
      craft(keys, config, { claims: { padding: oversizedPadding } }),
      'TOKEN_TOO_LARGE',
    ],
    ['typ JWT', craft(keys, config, { header: { typ: 'JWT' } }), 'TOKEN_INVALID'],
    ['no typ', craft(keys, config, { header: { typ: undefined } }), 'TOKEN_INVALID'],
    [
      'a peer assertion (peer+jwt) at the officer endpoint',
      craft(keys, config, { header: { typ: 'peer+jwt' } }),
      'TOKEN_INVALID',
    ],
    [
      'a role the node does not know',
      craft(keys, config, { claims: { roles: ['superuser'] } }),
      'TOKEN_INVALID',
    ],
    ['no roles', craft(keys, config, { claims: { roles: undefined } }), 'TOKEN_INVALID'],
    ['an empty role list', craft(keys, config, { claims: { roles: [] } }), 'TOKEN_INVALID'],
    ['roles as a string', craft(keys, config, { claims: { roles: 'liaison' } }), 'TOKEN_INVALID'],
    [
      'an officer token carrying the system role',
      craft(keys, config, { claims: { roles: ['system'] } }),
      'TOKEN_INVALID',
    ],
    [
      'a system token carrying an officer role',
      craft(keys, config, { header: { typ: 'system+jwt' }, claims: { roles: ['analyst'] } }),
      'TOKEN_INVALID',
    ],
    [
      'a clearance above the roles allow',
      craft(keys, config, { claims: { clearance: 'RED' } }),
      'TOKEN_INVALID',
    ],
    [
      'a clearance that is not a TLP level',
      craft(keys, config, { claims: { clearance: 'TOP_SECRET' } }),
      'TOKEN_INVALID',
    ],
    [
      'a subject with control characters',
      craft(keys, config, { claims: { sub: 'officer\nforged log line' } }),
      'TOKEN_INVALID',
    ],
  ]
  return Promise.all(cases.map(async ([name, token, code]) => ({ name, token: await token, code })))
}
