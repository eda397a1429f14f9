/**
 * Peer assertions (`typ: peer+jwt`, docs/protocol.md): the asking node's signed word on who asks,
 * for what purpose, under which case, with which scopes, for exactly one request body, addressed to
 * exactly one peer. One per request per peer; never cached, never reused.
 *
 * Verification trusts nothing the token says about its own key: the issuer must be a member of the
 * trust list in force, the key is looked up by `kid` among that member's keys on the list, and the
 * algorithm is the key's. The replay check comes last, after everything else holds, so a forged
 * assertion cannot burn a genuine jti.
 */
import { randomUUID } from 'node:crypto'
import {
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import { claimLimits } from '../auth/claims.ts'
import { allowedAlgorithms, type PrivateSigningKey } from '../auth/keys.ts'
import type { Principal } from '../auth/principal.ts'
import { isScope, type Scope } from '../auth/scopes.ts'
import { JaringError } from '../errors.ts'
import type { TrustMember } from './trust-list.ts'

export const peerAssertionType = 'peer+jwt'
/** The protocol's ceiling on `exp - iat`. */
export const maxAssertionLifetimeSeconds = 120
export const maxAssertionBytes = 8_192

/** What a peer may be granted: reading and policy questions, never writes or administration. */
export const peerGrantableScopes: readonly Scope[] = [
  'cases:read',
  'persons:read',
  'syndicates:read',
  'intel:read',
  'policy:read',
  'stats:read',
]

const refusedHeaders = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'] as const
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const digestPattern = /^[0-9a-f]{64}$/
const requiredClaims = ['iss', 'aud', 'sub', 'jti', 'iat', 'exp', 'body_sha256', 'scope', 'purpose'] as const

export interface PeerAssertionClaims {
  /** The asking agency. */
  iss: string
  /** The one peer the request is for. */
  aud: string
  /** The officer or system at the asking agency. */
  sub: string
  /** `officer` or `system`: what kind of principal the subject is at home. */
  sub_kind: 'officer' | 'system'
  /** Space-separated scopes (RFC 8693 style), a subset of `peerGrantableScopes`. */
  scope: string
  purpose: string
  case_ref?: string
  /** The asking principal's clearance: the answering policy never releases above it. */
  clearance: Tlp
  /** SHA-256 (hex) of the exact request body bytes. */
  body_sha256: string
  jti: string
  iat: number
  exp: number
}

export interface AssertionRequest {
  issuer: string
  audience: string
  principal: Principal
  purpose: string
  caseReference?: string | undefined
  bodyDigest: string
  lifetimeSeconds: number
  now?: number
}

export async function signPeerAssertion(key: PrivateSigningKey, request: AssertionRequest): Promise<string> {
  const issuedAt = Math.floor((request.now ?? Date.now()) / 1000)
  const lifetime = Math.min(request.lifetimeSeconds, maxAssertionLifetimeSeconds)
  const scope = [...request.principal.scopes].filter((s) => peerGrantableScopes.includes(s)).join(' ')
  return new SignJWT({
    sub_kind: request.principal.kind === 'system' ? 'system' : 'officer',
    scope,
    purpose: request.purpose,
    ...(request.caseReference ? { case_ref: request.caseReference } : {}),
    clearance: request.principal.clearance,
    body_sha256: request.bodyDigest,
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: peerAssertionType })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(request.principal.subject)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .sign(key.key)
}

export interface AssertionVerification {
  /** This node's agency: the only audience accepted. */
  self: string
  /** The member on the trust list in force for an agency code (undefined: not a member, or no list). */
  member: (agency: string) => TrustMember | undefined
  /** SHA-256 (hex) of the body as received. */
  bodyDigest: string
  clockToleranceSeconds: number
  /** Remembers the jti until `expiresAt`; false when it was already held (a replay). */
  remember: (entry: { issuer: string; jti: string; expiresAt: Date }) => Promise<boolean>
  now?: number
}

function fail(code: ConstructorParameters<typeof JaringError>[0], detail: string, cause?: unknown): never {
  throw new JaringError(code, { detail, cause })
}

function text(payload: JWTPayload, claim: string, max: number): string {
  const value = payload[claim]
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /\p{Cc}/u.test(value))
    fail('PEER_ASSERTION_INVALID', `The claim ${claim} must be a printable string of 1 to ${max} characters.`)
  return value
}

/** The Principal an assertion stands for, after every check of docs/protocol.md has passed. */
export async function verifyPeerAssertion(token: string, options: AssertionVerification): Promise<Principal> {
  if (token.length > maxAssertionBytes) fail('PEER_ASSERTION_INVALID', 'The assertion is over 8 KiB.')
  if (!compactJws.test(token)) fail('PEER_ASSERTION_INVALID', 'The assertion is not a signed compact JWS.')
  let header: ReturnType<typeof decodeProtectedHeader>
  let unverified: Record<string, unknown>
  try {
    header = decodeProtectedHeader(token)
    unverified = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'))
  } catch (error) {
    fail('PEER_ASSERTION_INVALID', 'The assertion is not a well-formed JWT.', error)
  }
  if (typeof header.alg !== 'string' || !(allowedAlgorithms as readonly string[]).includes(header.alg))
    fail('PEER_ASSERTION_INVALID', `Only ${allowedAlgorithms.join(' and ')} signatures are accepted.`)
  for (const name of refusedHeaders)
    if (Object.hasOwn(header, name)) fail('PEER_ASSERTION_INVALID', `The header ${name} is not accepted.`)
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : ''
  if (typ !== peerAssertionType)
    fail('PEER_ASSERTION_REQUIRED', `The token type must be ${peerAssertionType}, not ${String(header.typ)}.`)
  if (typeof header.kid !== 'string' || header.kid === '')
    fail('PEER_ASSERTION_INVALID', 'The header kid is required.')

  const issuer = unverified?.iss
  if (typeof issuer !== 'string') fail('PEER_ASSERTION_INVALID', 'The claim iss is required.')
  const member = issuer === options.self ? undefined : options.member(issuer)
  if (!member || member.role === 'secretariat')
    fail('PEER_UNKNOWN_ISSUER', `${issuer.slice(0, 32)} is not a peer on the trust list in force.`)
  const jwk = member.keys.keys.find((candidate) => candidate.kid === header.kid)
  if (!jwk) fail('PEER_KEY_UNKNOWN', `The key ${header.kid.slice(0, 128)} is not listed for ${issuer}.`)
  if (jwk.alg !== header.alg)
    fail('PEER_ASSERTION_INVALID', `The key ${header.kid} is not for ${header.alg}.`)
  const key = (await importJWK(jwk, header.alg)) as CryptoKey

  const now = options.now ?? Date.now()
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, key, {
      algorithms: [header.alg],
      issuer,
      typ: peerAssertionType,
      requiredClaims: [...requiredClaims],
      clockTolerance: options.clockToleranceSeconds,
      maxTokenAge: maxAssertionLifetimeSeconds,
      currentDate: new Date(now),
    }))
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      fail('PEER_ASSERTION_EXPIRED', 'The assertion has expired.', error)
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'iat' || error.claim === 'nbf')
        fail('PEER_ASSERTION_EXPIRED', 'The assertion is not valid yet.', error)
      fail('PEER_ASSERTION_INVALID', `The claim ${error.claim} is not accepted (${error.reason}).`, error)
    }
    if (error instanceof errors.JWSSignatureVerificationFailed)
      fail('PEER_ASSERTION_INVALID', 'The signature does not verify.', error)
    fail('PEER_ASSERTION_INVALID', 'The assertion is malformed.', error)
  }
  // jose accepts a list when one entry matches (FACTS.md); the protocol wants exactly this node.
  if (payload.aud !== options.self)
    fail('PEER_AUDIENCE_MISMATCH', `The assertion must name ${options.self} as its only audience.`)
  const iat = Number(payload.iat)
  const exp = Number(payload.exp)
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || exp <= iat)
    fail('PEER_ASSERTION_INVALID', 'The claims iat and exp must be whole seconds, exp after iat.')
  if (exp - iat > maxAssertionLifetimeSeconds)
    fail('PEER_ASSERTION_INVALID', `The assertion may live at most ${maxAssertionLifetimeSeconds} seconds.`)

  const bodyDigest = payload.body_sha256
  if (typeof bodyDigest !== 'string' || !digestPattern.test(bodyDigest))
    fail('PEER_ASSERTION_INVALID', 'The claim body_sha256 must be a SHA-256 hex digest.')
  if (bodyDigest !== options.bodyDigest)
    fail('PEER_BODY_DIGEST_MISMATCH', 'The body was changed, or the digest was made over other bytes.')

  const subject = text(payload, 'sub', claimLimits.subject)
  const jti = text(payload, 'jti', claimLimits.tokenId)
  const purpose = text(payload, 'purpose', claimLimits.purpose)
  const caseReference =
    payload.case_ref === undefined ? undefined : text(payload, 'case_ref', claimLimits.caseReference)
  if (typeof payload.scope !== 'string') fail('PEER_ASSERTION_INVALID', 'The claim scope must be a string.')
  const granted = new Set<Scope>()
  for (const name of payload.scope.split(' ').filter(Boolean)) {
    if (!isScope(name) || !peerGrantableScopes.includes(name))
      fail('PEER_ASSERTION_INVALID', 'The claim scope holds a scope a peer cannot be granted.')
    granted.add(name)
  }
  const clearance = payload.clearance
  if (typeof clearance !== 'string' || !(tlpLevels as readonly string[]).includes(clearance))
    fail('PEER_ASSERTION_INVALID', `The claim clearance must be one of ${tlpLevels.join(', ')}.`)

  const fresh = await options.remember({
    issuer,
    jti,
    expiresAt: new Date((exp + options.clockToleranceSeconds) * 1000),
  })
  if (!fresh) fail('PEER_ASSERTION_REPLAYED', 'This jti was accepted before.')

  return Object.freeze({
    kind: 'peer',
    agency: issuer,
    subject,
    roles: Object.freeze([]),
    scopes: granted,
    clearance: clearance as Tlp,
    tokenId: jti,
    purpose,
    ...(caseReference === undefined ? {} : { caseReference }),
  })
}
