/**
 * Keys and lists for the trust-list suites. Every key is real (written by the node's own key helpers
 * and read back); lists are signed by `signTrustList`, or, for the ones it refuses to produce
 * (invalid documents, foreign headers, `alg: none`), assembled by hand and signed with node:crypto.
 */
import { createPrivateKey, type JsonWebKey as NodeJsonWebKey, sign } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { JWK } from 'jose'
import {
  type JsonWebKeySet,
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  type SigningAlgorithm,
  writeSigningKeyFiles,
} from '../../../services/node/auth/keys.ts'
import { createTrustList, type TrustList } from '../../../services/node/federation/trust-list.ts'

export interface TestKey {
  signing: PrivateSigningKey
  privateJwk: JWK
  jwks: JsonWebKeySet
  publicJwk: JWK
  privateKeyFile: string
  publicJwksFile: string
}

export interface TrustKeys {
  folder: string
  /** The secretariat's signing key (EdDSA): the trust anchor. */
  secretariat: TestKey
  /** Thailand's federation key (EdDSA). */
  th: TestKey
  /** Viet Nam's federation key (ES256). */
  vn: TestKey
  /** A key nobody trusts. */
  stranger: TestKey
  close(): Promise<void>
}

export async function testKey(folder: string, name: string, alg: SigningAlgorithm): Promise<TestKey> {
  const files = await writeSigningKeyFiles(path.join(folder, name), alg)
  const jwks = await readJwks(files.publicJwksFile)
  return {
    signing: await readPrivateSigningKey(files.privateKeyFile),
    privateJwk: JSON.parse(await readFile(files.privateKeyFile, 'utf8')) as JWK,
    jwks,
    publicJwk: jwks.keys[0] as JWK,
    ...files,
  }
}

export async function createTrustKeys(): Promise<TrustKeys> {
  const folder = await mkdtemp(path.join(tmpdir(), 'jaring-trust-'))
  return {
    folder,
    secretariat: await testKey(folder, 'secretariat', 'EdDSA'),
    th: await testKey(folder, 'th', 'EdDSA'),
    vn: await testKey(folder, 'vn', 'ES256'),
    stranger: await testKey(folder, 'stranger', 'EdDSA'),
    close: () => rm(folder, { recursive: true, force: true }),
  }
}

export const issuedAt = new Date('2026-11-20T08:00:00Z')
export const expiresAt = new Date('2026-12-20T08:00:00Z')
/** An instant inside the sample list's validity window. */
export const during = new Date('2026-11-25T12:00:00Z')

export const secretariatAgency = 'ID-ASEANSEC'

/** A valid three-member list: the secretariat (no node), Thailand and Viet Nam. */
export function sampleList(keys: TrustKeys, overrides: Partial<TrustList> = {}): TrustList {
  return createTrustList({
    version: 1,
    issuedAt,
    expiresAt,
    issuer: secretariatAgency,
    members: [
      {
        agency: secretariatAgency,
        name: 'ASEAN Secretariat',
        country: 'ID',
        role: 'secretariat',
        keys: keys.secretariat.jwks,
      },
      {
        agency: 'TH-RTP',
        name: 'Royal Thai Police',
        country: 'TH',
        role: 'member',
        url: 'http://127.0.0.1:4102',
        keys: keys.th.jwks,
      },
      {
        agency: 'VN-MPS',
        name: 'Ministry of Public Security',
        country: 'VN',
        role: 'member',
        url: 'https://node.mps.example.vn/jaring',
        keys: keys.vn.jwks,
      },
    ],
    ...overrides,
  })
}

const base64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url')

/** A compact JWS with any header and payload, signed by hand (jose refuses some of these headers). */
export function craftJws(header: Record<string, unknown>, payload: unknown, key: TestKey): string {
  const payloadBytes = typeof payload === 'string' ? payload : JSON.stringify(payload)
  const input = `${base64url(JSON.stringify(header))}.${base64url(payloadBytes)}`
  const privateKey = createPrivateKey({
    key: key.privateJwk as NodeJsonWebKey,
    format: 'jwk',
  })
  const signature =
    key.signing.alg === 'EdDSA'
      ? sign(null, Buffer.from(input), privateKey)
      : sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return `${input}.${base64url(signature)}`
}

/** The header `signTrustList` writes, for crafting variants of it. */
export const trustHeader = (key: TestKey) => ({
  alg: key.signing.alg,
  typ: 'trust-list+jwt',
  kid: key.signing.kid,
})
