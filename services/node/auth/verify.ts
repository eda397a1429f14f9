/**
 * Bearer token verification, independent of Fastify. One verifier per node, built from the config:
 * the issuers it trusts (each bound to one agency and to the token kinds it may sign), the node's
 * development issuer when enabled, the audience, and the time limits.
 *
 * The unverified header and payload are decoded only to refuse dangerous headers early, to pick the
 * issuer's key set and to name the failure; every decision that grants anything rests on claims that
 * jose has verified. Each failure maps to one catalogue code (docs/tokens.md lists them).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose'
import { type NodeConfig, resolveConfigPath, tokenAudience } from '../config.ts'
import { JaringError } from '../errors.ts'
import {
  devIssuerId,
  principalFromClaims,
  requiredClaims,
  type TokenKind,
  tokenKindOfType,
  tokenTypes,
} from './claims.ts'
import { allowedAlgorithms, type JsonWebKeySet, readJwks, readPublicJwksOfPrivateKey } from './keys.ts'
import type { Principal } from './principal.ts'
import { createTokenCache, type TokenCacheStats, tokenCacheKey } from './token-cache.ts'

/** Headers that would let a token name its own key or key source: never honoured, always refused. */
const refusedHeaders = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const

/** A compact JWS: three base64url parts (the signature may be empty only in `alg: none` tokens). */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

const defaultRemoteJwksTimeoutMs = 5_000

export interface IssuerBinding {
  /** The exact `iss`. */
  issuer: string
  /** The agency every principal from this issuer belongs to. */
  agency: string
  kinds: readonly TokenKind[]
  /** Where its keys come from, for messages and logs. */
  keySource: string
}

export interface TokenVerifierOptions {
  /** The current time in milliseconds; tests move it. */
  now?: () => number
  /** How long a remote JWKS fetch may take before the token is refused. */
  remoteJwksTimeoutMs?: number
  /** Told when an issuer's remote key set could not be fetched: operators must hear of it. */
  onKeySetUnavailable?: (issuer: string, error: unknown) => void
}

export interface TokenVerifier {
  /** The Principal of a bearer token, or a JaringError with a TOKEN_* code. */
  verify(token: string): Promise<Principal>
  /** The Principal of an `Authorization` header value (UNAUTHENTICATED when there is no bearer token). */
  authenticate(authorization: string | undefined): Promise<Principal>
  readonly issuers: readonly IssuerBinding[]
  stats(): TokenCacheStats
}

interface TrustedIssuer extends IssuerBinding {
  keys: JWTVerifyGetKey
  remote: boolean
}

function refused(detail: string): JaringError {
  return new JaringError('TOKEN_ALGORITHM_REFUSED', { detail })
}

function invalid(detail: string, cause?: unknown): JaringError {
  return new JaringError('TOKEN_INVALID', { detail, cause })
}

/**
 * The token of an `Authorization: Bearer <token>` header. No header, or another scheme, means no
 * bearer token (UNAUTHENTICATED, RFC 6750 3.1); a Bearer header that is not exactly one token is invalid.
 */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') throw new JaringError('UNAUTHENTICATED')
  const match = /^Bearer +(\S+) *$/i.exec(authorization)
  if (match?.[1]) return match[1]
  if (!/^Bearer(\s|$)/i.test(authorization))
    throw new JaringError('UNAUTHENTICATED', { detail: 'Only the Bearer scheme is accepted.' })
  throw invalid('The Authorization header must be "Bearer <token>".')
}

async function keySetOf(
  source: { jwksFile?: string; jwksUrl?: string },
  config: NodeConfig,
  timeoutDuration: number,
): Promise<{ keys: JWTVerifyGetKey; remote: boolean; keySource: string }> {
  if (source.jwksUrl) {
    return {
      keys: createRemoteJWKSet(new URL(source.jwksUrl), { timeoutDuration }),
      remote: true,
      keySource: source.jwksUrl,
    }
  }
  if (!source.jwksFile) throw new Error('an issuer needs a jwksFile or a jwksUrl')
  const file = resolveConfigPath(config, source.jwksFile)
  return { keys: createLocalJWKSet(await readJwks(file)), remote: false, keySource: file }
}

async function devIssuerKeys(config: NodeConfig): Promise<{ jwks: JsonWebKeySet; keySource: string }> {
  const { publicJwksFile, privateKeyFile } = config.auth.devIssuer
  if (publicJwksFile) {
    const file = resolveConfigPath(config, publicJwksFile)
    return { jwks: await readJwks(file), keySource: file }
  }
  if (!privateKeyFile) throw new Error('auth.devIssuer: needs privateKeyFile or publicJwksFile')
  const file = resolveConfigPath(config, privateKeyFile)
  return { jwks: await readPublicJwksOfPrivateKey(file), keySource: file }
}

async function trustedIssuers(config: NodeConfig, timeoutMs: number): Promise<TrustedIssuer[]> {
  const trusted: TrustedIssuer[] = []
  for (const entry of config.auth.issuers) {
    const keySet = await keySetOf(entry, config, timeoutMs)
    trusted.push({ issuer: entry.issuer, agency: entry.agency, kinds: entry.kinds, ...keySet })
  }
  if (config.auth.devIssuer.enabled) {
    const { jwks, keySource } = await devIssuerKeys(config)
    trusted.push({
      issuer: devIssuerId(config),
      agency: config.agency,
      kinds: ['officer', 'system'],
      keys: createLocalJWKSet(jwks),
      remote: false,
      keySource,
    })
  }
  const seen = new Set<string>()
  for (const { issuer } of trusted) {
    if (seen.has(issuer)) throw new Error(`auth.issuers: the issuer ${issuer} is listed twice`)
    seen.add(issuer)
  }
  return trusted
}

/** Checks made on the unverified header: they refuse, they never grant. */
function checkHeader(header: ProtectedHeaderParameters): { kind: TokenKind; typ: string } {
  const { alg } = header
  if (typeof alg !== 'string' || !(allowedAlgorithms as readonly string[]).includes(alg))
    throw refused(`Only ${allowedAlgorithms.join(' and ')} signatures are accepted.`)
  for (const name of refusedHeaders) {
    if (Object.hasOwn(header, name)) throw refused(`The header ${name} is not accepted.`)
  }
  const kind = tokenKindOfType(header.typ)
  if (!kind)
    throw invalid(
      `The token type must be ${Object.values(tokenTypes).join(' or ')}; other kinds are not accepted here.`,
    )
  if (typeof header.kid !== 'string' || header.kid === '') throw invalid('The header kid is required.')
  return { kind, typ: header.typ as string }
}

/** Names a jose failure with the catalogue code a client can act on. */
function classify(error: unknown): JaringError {
  if (error instanceof JaringError) return error
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? new JaringError('TOKEN_TOO_OLD', { cause: error })
      : new JaringError('TOKEN_EXPIRED', { cause: error })
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' && error.claim === 'aud')
      return new JaringError('TOKEN_AUDIENCE_MISMATCH', {
        detail: 'The token names no audience.',
        cause: error,
      })
    if (error.reason === 'missing') return invalid(`The claim ${error.claim} is required.`, error)
    if (error.reason !== 'check_failed') return invalid(`The claim ${error.claim} is malformed.`, error)
    switch (error.claim) {
      case 'nbf':
      case 'iat':
        return new JaringError('TOKEN_NOT_YET_VALID', { cause: error })
      case 'aud':
        return new JaringError('TOKEN_AUDIENCE_MISMATCH', { cause: error })
      case 'iss':
        return new JaringError('TOKEN_UNKNOWN_ISSUER', { cause: error })
      default:
        return invalid(`The claim ${error.claim} is not accepted.`, error)
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return refused('The algorithm is not accepted.')
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalid("The key id is not among the issuer's keys.", error)
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return invalid("The key id matches several of the issuer's keys.", error)
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalid('The signature does not verify.', error)
  return invalid('The token is malformed.', error)
}

/** Failures that say something about the token; anything else from a remote key set is an outage. */
function isTokenFault(error: unknown): boolean {
  return (
    error instanceof JaringError ||
    error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JWTExpired ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  )
}

export async function createTokenVerifier(
  config: NodeConfig,
  options: TokenVerifierOptions = {},
): Promise<TokenVerifier> {
  const now = options.now ?? Date.now
  const audience = tokenAudience(config)
  const { clockToleranceSeconds, maxTokenAgeSeconds, maxTokenBytes, verifiedTokenCacheSize } = config.auth
  const issuers = await trustedIssuers(config, options.remoteJwksTimeoutMs ?? defaultRemoteJwksTimeoutMs)
  const byIssuer = new Map(issuers.map((entry) => [entry.issuer, entry]))
  const cache = createTokenCache(verifiedTokenCacheSize)

  /** The same time checks jose made, repeated on a cached token: it may have expired since. */
  function checkTimes(expiresAt: number, issuedAt: number): void {
    const seconds = Math.floor(now() / 1000)
    if (expiresAt <= seconds - clockToleranceSeconds) throw new JaringError('TOKEN_EXPIRED')
    if (seconds - issuedAt - clockToleranceSeconds > maxTokenAgeSeconds)
      throw new JaringError('TOKEN_TOO_OLD')
  }

  async function verifyUncached(token: string): Promise<{ principal: Principal; payload: JWTPayload }> {
    let header: ProtectedHeaderParameters
    let unverified: JWTPayload
    try {
      header = decodeProtectedHeader(token)
      unverified = decodeJwt(token)
    } catch (error) {
      throw invalid('The token is not a well-formed JWT.', error)
    }
    const { kind, typ } = checkHeader(header)
    if (typeof unverified.iss !== 'string') throw invalid('The claim iss is required.')
    const issuer = byIssuer.get(unverified.iss)
    if (!issuer) throw new JaringError('TOKEN_UNKNOWN_ISSUER')
    if (!issuer.kinds.includes(kind))
      throw invalid(`This issuer is not trusted for ${tokenTypes[kind]} tokens.`)
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, issuer.keys, {
        algorithms: [...allowedAlgorithms],
        issuer: issuer.issuer,
        audience,
        typ,
        requiredClaims: [...requiredClaims],
        clockTolerance: clockToleranceSeconds,
        maxTokenAge: maxTokenAgeSeconds,
        currentDate: new Date(now()),
      }))
    } catch (error) {
      if (issuer.remote && !isTokenFault(error)) {
        options.onKeySetUnavailable?.(issuer.issuer, error)
        throw invalid("The issuer's keys could not be fetched.", error)
      }
      throw classify(error)
    }
    // jose accepts an audience list when one entry matches (FACTS.md): a token for several nodes
    // could be replayed by any of them, so it must name this node alone.
    if (Array.isArray(payload.aud) && payload.aud.length !== 1)
      throw new JaringError('TOKEN_AUDIENCE_MISMATCH', { detail: 'The token names several audiences.' })
    return { principal: principalFromClaims(payload, kind, issuer.agency), payload }
  }

  async function verify(token: string): Promise<Principal> {
    if (token.length > maxTokenBytes) throw new JaringError('TOKEN_TOO_LARGE')
    if (!compactJws.test(token)) throw invalid('The token is not a compact JWS.')
    const key = verifiedTokenCacheSize > 0 ? tokenCacheKey(token) : undefined
    const cached = key === undefined ? undefined : cache.get(key)
    if (key !== undefined && cached) {
      try {
        checkTimes(cached.expiresAt, cached.issuedAt)
      } catch (error) {
        cache.delete(key)
        throw error
      }
      return cached.principal
    }
    const { principal, payload } = await verifyUncached(token)
    if (key !== undefined)
      cache.set(key, { principal, expiresAt: Number(payload.exp), issuedAt: Number(payload.iat) })
    return principal
  }

  return {
    verify,
    authenticate: (authorization) => verify(bearerToken(authorization)),
    issuers: issuers.map(({ issuer, agency, kinds, keySource }) => ({ issuer, agency, kinds, keySource })),
    stats: () => cache.stats(),
  }
}
