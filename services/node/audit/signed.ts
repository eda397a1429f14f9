/**
 * The two signed statements of the audit trail, both compact JWS made with the node's federation
 * key (docs/audit.md):
 * - a checkpoint (`typ: audit-checkpoint+jwt`): "my chain had this hash at this seq", so a chain
 *   rewritten by someone with database access but without the key no longer matches;
 * - a disclosure receipt (`typ: disclosure-receipt+jwt`): the answering node's word on what it
 *   disclosed to an asker, kept by the asker in its own audit row.
 */
import { type CryptoKey, compactVerify, importJWK, type JWK, SignJWT } from 'jose'
import { allowedAlgorithms, type PrivateSigningKey } from '../auth/keys.ts'

export const checkpointType = 'audit-checkpoint+jwt'
export const receiptType = 'disclosure-receipt+jwt'

const digestPattern = /^[0-9a-f]{64}$/
/** Header members that would let a token choose its own key: refused outright. */
const keyChoosingHeaders = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const

export class SignedStatementError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SignedStatementError'
  }
}

export interface CheckpointClaims {
  node: string
  seq: number
  rowHash: string
}

export interface ReceiptClaims {
  /** The answering node's agency. */
  iss: string
  /** The asking agency. */
  aud: string
  requestId: string
  /** The answering node's audit row for this disclosure. */
  seq: number
  /** SHA-256 (hex) of the request body the answering node received. */
  requestDigest: string
  /** SHA-256 (hex) of the response body it sent. */
  responseDigest: string
  /** Seconds since the epoch, when the receipt was signed. */
  iat: number
}

async function sign(key: PrivateSigningKey, typ: string, payload: Record<string, unknown>): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ, kid: key.kid }).sign(key.key)
}

export function signCheckpoint(key: PrivateSigningKey, claims: CheckpointClaims): Promise<string> {
  return sign(key, checkpointType, { ...claims, iat: Math.floor(Date.now() / 1000) })
}

export function signReceipt(key: PrivateSigningKey, claims: Omit<ReceiptClaims, 'iat'>): Promise<string> {
  return sign(key, receiptType, { ...claims, iat: Math.floor(Date.now() / 1000) })
}

/** The key of `keys` with the token's kid, imported for its pinned algorithm. */
async function keyFor(keys: readonly JWK[], kid: unknown, alg: unknown): Promise<CryptoKey> {
  const jwk = keys.find((candidate) => candidate.kid === kid)
  if (!jwk) throw new SignedStatementError(`no key with kid ${String(kid)}`)
  if (jwk.alg !== alg) throw new SignedStatementError(`the key ${String(kid)} is not for ${String(alg)}`)
  return (await importJWK(jwk, String(alg))) as CryptoKey
}

/** Verifies the signature and header of a statement of type `typ`; returns its payload. */
async function verify(token: string, typ: string, keys: readonly JWK[]): Promise<Record<string, unknown>> {
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new SignedStatementError('not a compact JWS')
  }
  let header: Record<string, unknown>
  try {
    header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8'))
  } catch {
    throw new SignedStatementError('the header is not JSON')
  }
  if (header.typ !== typ) throw new SignedStatementError(`typ must be ${typ}`)
  if (!(allowedAlgorithms as readonly unknown[]).includes(header.alg)) {
    throw new SignedStatementError(`alg must be one of ${allowedAlgorithms.join(', ')}`)
  }
  for (const member of keyChoosingHeaders) {
    if (member in header) throw new SignedStatementError(`the header member ${member} is refused`)
  }
  const key = await keyFor(keys, header.kid, header.alg)
  let payload: Uint8Array
  try {
    ;({ payload } = await compactVerify(token, key, { algorithms: [String(header.alg)] }))
  } catch {
    throw new SignedStatementError('the signature does not verify')
  }
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'))
  } catch {
    throw new SignedStatementError('the payload is not JSON')
  }
}

function requireDigest(claims: Record<string, unknown>, name: string): string {
  const value = claims[name]
  if (typeof value !== 'string' || !digestPattern.test(value)) {
    throw new SignedStatementError(`${name} must be a SHA-256 hex digest`)
  }
  return value
}

function requireSeq(claims: Record<string, unknown>): number {
  const value = claims.seq
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new SignedStatementError('seq must be a positive integer')
  }
  return value
}

function requireText(claims: Record<string, unknown>, name: string): string {
  const value = claims[name]
  if (typeof value !== 'string' || value.length === 0) throw new SignedStatementError(`${name} is missing`)
  return value
}

export async function verifyCheckpoint(token: string, keys: readonly JWK[]): Promise<CheckpointClaims> {
  const claims = await verify(token, checkpointType, keys)
  return {
    node: requireText(claims, 'node'),
    seq: requireSeq(claims),
    rowHash: requireDigest(claims, 'rowHash'),
  }
}

export interface ReceiptExpectations {
  /** The answering agency the asker called. */
  issuer: string
  /** The asking agency (this node). */
  audience: string
  requestId: string
  /** The exact bytes the asker sent and received. */
  requestDigest: string
  responseDigest: string
}

/**
 * The asker's check of a receipt: signed by the answering node's key (from the trust list), about
 * this request, and over exactly the bytes that crossed the wire in both directions.
 */
export async function verifyReceipt(
  token: string,
  keys: readonly JWK[],
  expected: ReceiptExpectations,
): Promise<ReceiptClaims> {
  const claims = await verify(token, receiptType, keys)
  const receipt: ReceiptClaims = {
    iss: requireText(claims, 'iss'),
    aud: requireText(claims, 'aud'),
    requestId: requireText(claims, 'requestId'),
    seq: requireSeq(claims),
    requestDigest: requireDigest(claims, 'requestDigest'),
    responseDigest: requireDigest(claims, 'responseDigest'),
    iat: typeof claims.iat === 'number' ? claims.iat : Number.NaN,
  }
  if (!Number.isFinite(receipt.iat)) throw new SignedStatementError('iat is missing')
  const mismatches = (['iss', 'aud', 'requestId', 'requestDigest', 'responseDigest'] as const).filter(
    (name) =>
      receipt[name] !==
      {
        iss: expected.issuer,
        aud: expected.audience,
        requestId: expected.requestId,
        requestDigest: expected.requestDigest,
        responseDigest: expected.responseDigest,
      }[name],
  )
  if (mismatches.length > 0)
    throw new SignedStatementError(`${mismatches.join(', ')} do not match this exchange`)
  return receipt
}
