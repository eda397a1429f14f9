/**
 * Signing keys as JWK files: a private JWK (mode 0600, never logged) and a public JWKS beside it.
 * EdDSA (Ed25519) is the default: small, fast and deterministic; ES256 is accepted for agencies
 * whose HSMs lack Ed25519.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'

export const allowedAlgorithms = ['EdDSA', 'ES256'] as const
export type SigningAlgorithm = (typeof allowedAlgorithms)[number]

export interface PrivateSigningKey {
  kid: string
  alg: SigningAlgorithm
  key: CryptoKey
}

export interface JsonWebKeySet {
  keys: JWK[]
}

/** A short, stable id derived from the public key, so the same key always has the same kid. */
function keyId(publicJwk: JWK): string {
  const material = JSON.stringify([publicJwk.kty, publicJwk.crv, publicJwk.x, publicJwk.y ?? ''])
  return createHash('sha256').update(material).digest('base64url').slice(0, 16)
}

/** Creates a key pair and returns the private JWK and the public JWK, both carrying kid, alg and use. */
export async function createSigningKey(
  alg: SigningAlgorithm = 'EdDSA',
): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = keyId(publicJwk)
  const privateJwk = await exportJWK(privateKey)
  return {
    privateJwk: { ...privateJwk, kid, alg, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
  }
}

/** Writes `<base>.private.jwk.json` (0600) and `<base>.jwks.json`; returns their paths. */
export async function writeSigningKeyFiles(
  base: string,
  alg: SigningAlgorithm = 'EdDSA',
): Promise<{ privateKeyFile: string; publicJwksFile: string; kid: string }> {
  const { privateJwk, publicJwk } = await createSigningKey(alg)
  const privateKeyFile = `${base}.private.jwk.json`
  const publicJwksFile = `${base}.jwks.json`
  await writeFile(privateKeyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  await writeFile(publicJwksFile, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`, { flag: 'wx' })
  return { privateKeyFile, publicJwksFile, kid: String(publicJwk.kid) }
}

function isAllowedAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (allowedAlgorithms as readonly string[]).includes(value)
}

/** Reads a private JWK file; refuses keys without a kid or with an algorithm outside the pinned set. */
export async function readPrivateSigningKey(file: string): Promise<PrivateSigningKey> {
  const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK
  if (!jwk.d) throw new Error(`${file}: is not a private key`)
  if (!jwk.kid) throw new Error(`${file}: the key has no kid`)
  if (!isAllowedAlgorithm(jwk.alg))
    throw new Error(`${file}: alg must be one of ${allowedAlgorithms.join(', ')}`)
  const key = (await importJWK(jwk, jwk.alg)) as CryptoKey
  return { kid: jwk.kid, alg: jwk.alg, key }
}

/** Reads a public JWKS file; refuses private members so a secret never ends up in a trust list. */
export async function readJwks(file: string): Promise<JsonWebKeySet> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as JsonWebKeySet
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`${file}: is not a JWKS (no "keys" array)`)
  for (const [index, key] of parsed.keys.entries()) {
    if ('d' in key) throw new Error(`${file}: keys[${index}] holds private material`)
    if (!key.kid) throw new Error(`${file}: keys[${index}] has no kid`)
    if (!isAllowedAlgorithm(key.alg))
      throw new Error(`${file}: keys[${index}].alg must be one of ${allowedAlgorithms.join(', ')}`)
  }
  return parsed
}

/** Members of a JWK that hold private material (OKP and EC use `d`; the rest would be RSA or secrets). */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/**
 * The public JWKS of a private JWK file, for a node that verifies its own development issuer's tokens
 * without a separate public file. The result never holds private material.
 */
export async function readPublicJwksOfPrivateKey(file: string): Promise<JsonWebKeySet> {
  const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK
  if (!jwk.d) throw new Error(`${file}: is not a private key`)
  if (!jwk.kid) throw new Error(`${file}: the key has no kid`)
  if (!isAllowedAlgorithm(jwk.alg))
    throw new Error(`${file}: alg must be one of ${allowedAlgorithms.join(', ')}`)
  const publicJwk: JWK = { ...jwk }
  for (const member of privateMembers) delete (publicJwk as Record<string, unknown>)[member]
  delete publicJwk.key_ops
  return { keys: [publicJwk] }
}
