/**
 * The node's development issuer: signs officer and system tokens with the key in
 * `auth.devIssuer.privateKeyFile`, for demos, tests and `jaring token`. The node trusts it only when
 * `auth.devIssuer.enabled` is set, and binds it to the node's own agency.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import { type NodeConfig, resolveConfigPath, tokenAudience } from '../config.ts'
import { clearanceCeiling, devIssuerId, kindRoles, type TokenKind, tokenTypes } from './claims.ts'
import { readPrivateSigningKey } from './keys.ts'
import { isRole, type Role, roles } from './scopes.ts'

export interface DevTokenRequest {
  role: Role
  /** `sub`; defaults to `dev-<role>`. */
  subject?: string
  /** Lifetime in seconds; defaults to, and may not exceed, the node's maximum token age. */
  ttlSeconds?: number
  /** Lower than the role's default clearance, never higher (the node would refuse the token). */
  clearance?: Tlp
  purpose?: string
  caseRef?: string
  /** Defaults to `system` for the system role and `officer` for the others. */
  kind?: TokenKind
  /** More claims; they never replace the registered ones, the roles or the clearance. */
  extraClaims?: Record<string, unknown>
}

/** Why a token could not be minted: the node's config, or the request itself. */
export class DevTokenError extends Error {
  readonly reason: 'config' | 'request'
  constructor(message: string, reason: 'config' | 'request') {
    super(message)
    this.name = 'DevTokenError'
    this.reason = reason
  }
}

/** Claims that `extraClaims` may not set: the registered ones and those the node grants access by. */
const reservedClaims = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'roles',
  'clearance',
  'purpose',
  'case_ref',
])

function unreserved(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !reservedClaims.has(name)))
}

export function defaultKindOfRole(role: Role): TokenKind {
  return role === 'system' ? 'system' : 'officer'
}

function checkRequest(config: NodeConfig, request: DevTokenRequest): { kind: TokenKind; ttlSeconds: number } {
  const wrong = (message: string) => new DevTokenError(message, 'request')
  if (!isRole(request.role)) throw wrong(`the role must be one of ${roles.join(', ')}`)
  const kind = request.kind ?? defaultKindOfRole(request.role)
  if (!kindRoles[kind].includes(request.role))
    throw wrong(`a ${tokenTypes[kind]} token may not carry the role ${request.role}`)
  const maxAge = config.auth.maxTokenAgeSeconds
  const ttlSeconds = request.ttlSeconds ?? maxAge
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxAge)
    throw wrong(
      `the lifetime must be a whole number of seconds from 1 to ${maxAge} (auth.maxTokenAgeSeconds)`,
    )
  if (request.clearance !== undefined) {
    const ceiling = clearanceCeiling([request.role])
    if (!(tlpLevels as readonly string[]).includes(request.clearance))
      throw wrong(`the clearance must be one of ${tlpLevels.join(', ')}`)
    if (tlpLevels.indexOf(request.clearance) > tlpLevels.indexOf(ceiling))
      throw wrong(`the clearance of the ${request.role} role is at most ${ceiling}`)
  }
  if (request.subject !== undefined && request.subject.trim() === '')
    throw wrong('the subject must not be empty')
  return { kind, ttlSeconds }
}

/** A signed token from the node's development issuer, which the node (and only this node) accepts. */
export async function mintDevToken(config: NodeConfig, request: DevTokenRequest): Promise<string> {
  const { privateKeyFile } = config.auth.devIssuer
  if (!config.auth.devIssuer.enabled || !privateKeyFile)
    throw new DevTokenError('the development issuer is disabled (auth.devIssuer.enabled)', 'config')
  const { kind, ttlSeconds } = checkRequest(config, request)
  const file = resolveConfigPath(config, privateKeyFile)
  let signingKey: Awaited<ReturnType<typeof readPrivateSigningKey>>
  try {
    signingKey = await readPrivateSigningKey(file)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new DevTokenError(`cannot read the development issuer key ${file}: ${reason}`, 'config')
  }
  const issuedAt = Math.floor(Date.now() / 1000)
  return new SignJWT({
    ...unreserved(request.extraClaims),
    roles: [request.role],
    ...(request.clearance ? { clearance: request.clearance } : {}),
    ...(request.purpose ? { purpose: request.purpose } : {}),
    ...(request.caseRef ? { case_ref: request.caseRef } : {}),
  })
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: tokenTypes[kind] })
    .setIssuer(devIssuerId(config))
    .setAudience(tokenAudience(config))
    .setSubject(request.subject ?? `dev-${request.role}`)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(signingKey.key)
}
