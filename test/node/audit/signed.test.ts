/**
 * The signed statements of the audit trail: disclosure receipts (the answering node's word on what
 * it disclosed, kept by the asker) and checkpoints (the node's word on its chain head). Real keys;
 * every check the asker relies on is exercised.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../services/node/audit/chain.ts'
import {
  checkpointType,
  receiptType,
  signCheckpoint,
  signReceipt,
  verifyCheckpoint,
  verifyReceipt,
} from '../../../services/node/audit/signed.ts'
import {
  type PrivateSigningKey,
  readPrivateSigningKey,
  readPublicJwksOfPrivateKey,
  writeSigningKeyFiles,
} from '../../../services/node/auth/keys.ts'

let folder: string
let thailand: { key: PrivateSigningKey; keys: JWK[] }
let stranger: { key: PrivateSigningKey; keys: JWK[] }

async function nodeKey(name: string, alg: 'EdDSA' | 'ES256') {
  const files = await writeSigningKeyFiles(join(folder, name), alg)
  return {
    key: await readPrivateSigningKey(files.privateKeyFile),
    keys: (await readPublicJwksOfPrivateKey(files.privateKeyFile)).keys,
  }
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'jaring-signed-'))
  thailand = await nodeKey('th', 'EdDSA')
  stranger = await nodeKey('stranger', 'ES256')
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

const requestBody = '{"query":"{ persons(filter: { phone: \\"+66812345678\\" }) { nodes { id } } }"}'
const responseBody = '{"data":{"persons":{"nodes":[{"id":"TH-RTP:0b9e..."}]}}}'
const exchange = {
  issuer: 'TH-RTP',
  audience: 'HK-HKPF',
  requestId: 'req-2026-12-01-0001',
  requestDigest: sha256Hex(requestBody),
  responseDigest: sha256Hex(responseBody),
}
const claimsOf = (overrides: Partial<typeof exchange> = {}) => {
  const values = { ...exchange, ...overrides }
  return {
    iss: values.issuer,
    aud: values.audience,
    requestId: values.requestId,
    seq: 42,
    requestDigest: values.requestDigest,
    responseDigest: values.responseDigest,
  }
}

function tamperPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  change(decoded)
  return `${header}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`
}

describe('disclosure receipts', () => {
  it('verify for the exchange they describe, with the answering node’s key', async () => {
    const receipt = await signReceipt(thailand.key, claimsOf())
    const header = JSON.parse(Buffer.from(receipt.split('.')[0] as string, 'base64url').toString('utf8'))
    expect(header).toEqual({ alg: 'EdDSA', typ: receiptType, kid: thailand.key.kid })
    const verified = await verifyReceipt(receipt, thailand.keys, exchange)
    expect(verified).toMatchObject({ ...claimsOf(), iat: expect.any(Number) })
  })

  it('refuse a receipt over other bytes, for another request or asker, or from another node', async () => {
    const receipt = await signReceipt(thailand.key, claimsOf())
    const cases: [Partial<typeof exchange>, RegExp][] = [
      [{ responseDigest: sha256Hex(`${responseBody} `) }, /responseDigest/],
      [{ requestDigest: sha256Hex('{}') }, /requestDigest/],
      [{ requestId: 'another-request' }, /requestId/],
      [{ audience: 'VN-MPS' }, /aud/],
      [{ issuer: 'VN-MPS' }, /iss/],
    ]
    for (const [expected, reason] of cases) {
      await expect(verifyReceipt(receipt, thailand.keys, { ...exchange, ...expected })).rejects.toThrow(
        reason,
      )
    }
  })

  it('refuse a tampered receipt, a foreign signature, another type and a key-choosing header', async () => {
    const receipt = await signReceipt(thailand.key, claimsOf())
    const tampered = tamperPayload(receipt, (payload) => {
      payload.seq = 41
    })
    await expect(verifyReceipt(tampered, thailand.keys, exchange)).rejects.toThrow(/signature/)
    const foreign = await signReceipt(stranger.key, claimsOf())
    await expect(verifyReceipt(foreign, thailand.keys, exchange)).rejects.toThrow(/no key/)
    const checkpoint = await signCheckpoint(thailand.key, { node: 'TH-RTP', seq: 1, rowHash: 'a'.repeat(64) })
    await expect(verifyReceipt(checkpoint, thailand.keys, exchange)).rejects.toThrow(/typ/)
    const [, payload, signature] = receipt.split('.') as [string, string, string]
    const withJku = Buffer.from(
      JSON.stringify({
        alg: 'EdDSA',
        typ: receiptType,
        kid: thailand.key.kid,
        jku: 'http://evil.example/jwks',
      }),
    ).toString('base64url')
    await expect(
      verifyReceipt(`${withJku}.${payload}.${signature}`, thailand.keys, exchange),
    ).rejects.toThrow(/jku/)
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: receiptType })).toString('base64url')
    await expect(verifyReceipt(`${none}.${payload}.`, thailand.keys, exchange)).rejects.toThrow(/alg/)
    await expect(verifyReceipt('not-a-jws', thailand.keys, exchange)).rejects.toThrow(/compact JWS/)
  })
})

describe('checkpoints', () => {
  it('carry the node, seq and row hash, and refuse any change', async () => {
    const claims = { node: 'TH-RTP', seq: 1234, rowHash: 'b'.repeat(64) }
    const token = await signCheckpoint(thailand.key, claims)
    expect(await verifyCheckpoint(token, thailand.keys)).toEqual(claims)
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8'))
    expect(header.typ).toBe(checkpointType)
    const moved = tamperPayload(token, (payload) => {
      payload.seq = 1235
    })
    await expect(verifyCheckpoint(moved, thailand.keys)).rejects.toThrow(/signature/)
    await expect(verifyCheckpoint(token, stranger.keys)).rejects.toThrow(/no key/)
  })
})
