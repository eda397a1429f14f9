/**
 * What a verified token says and how it becomes a Principal. The signature, issuer, audience and
 * times are checked by verify.ts before anything here runs; this module checks the claims that
 * jose knows nothing about (roles, clearance, purpose) against the node's vocabulary.
 */
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import type { NodeConfig } from '../config.ts'
import { JaringError } from '../errors.ts'
import type { Principal } from './principal.ts'
import { defaultClearance, isRole, type Role, scopesOfRoles } from './scopes.ts'

/** The kinds of token an issuer in the node's config may sign (peer assertions come with federation). */
export const tokenKinds = ['officer', 'system'] as const
export type TokenKind = (typeof tokenKinds)[number]

/** The JOSE `typ` header of each kind: a token of one kind can never pass for another. */
export const tokenTypes: Record<TokenKind, string> = {
  officer: 'officer+jwt',
  system: 'system+jwt',
}

/**
 * Which roles each kind may carry. An officer is a person and never an agency system; a system is a
 * machine (the agency's record system, the secretariat's statistics collector, an operator's
 * automation) and never holds the roles that stand for an officer's judgement (liaison, analyst).
 */
export const kindRoles: Record<TokenKind, readonly Role[]> = {
  officer: ['liaison', 'analyst', 'secretariat', 'admin'],
  system: ['system', 'secretariat', 'admin'],
}

/** The claims every token must carry (besides `iss` and `aud`, checked against the config). */
export const requiredClaims = ['exp', 'iat', 'jti', 'sub'] as const

export const claimLimits = {
  subject: 256,
  tokenId: 256,
  purpose: 200,
  caseReference: 100,
} as const

/** The `iss` of the node's development issuer. */
export function devIssuerId(config: NodeConfig): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/dev-issuer`
}

/** `typ` compared as RFC 8725 and jose do: case-insensitive, `application/` optional. */
export function tokenKindOfType(typ: unknown): TokenKind | undefined {
  if (typeof typ !== 'string') return undefined
  const normalised = typ.toLowerCase().replace(/^application\//, '')
  return tokenKinds.find((kind) => tokenTypes[kind] === normalised)
}

/** The highest TLP any of the roles sees by default: a token's clearance claim may lower it, never raise it. */
export function clearanceCeiling(granted: readonly Role[]): Tlp {
  const highest = Math.max(...granted.map((role) => tlpLevels.indexOf(defaultClearance[role])))
  return tlpLevels[highest] ?? 'CLEAR'
}

function invalid(detail: string): JaringError {
  return new JaringError('TOKEN_INVALID', { detail })
}

/** A printable string of bounded length: these values reach logs and the audit trail. */
function boundedText(value: unknown, claim: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || /\p{Cc}/u.test(value))
    throw invalid(`The claim ${claim} must be a printable string of 1 to ${maxLength} characters.`)
  return value
}

function optionalText(value: unknown, claim: string, maxLength: number): string | undefined {
  return value === undefined ? undefined : boundedText(value, claim, maxLength)
}

function rolesClaim(value: unknown, kind: TokenKind): Role[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid('The claim roles must be a non-empty list of roles.')
  const granted = new Set<Role>()
  for (const role of value) {
    if (!isRole(role)) throw invalid('The claim roles holds a role this node does not know.')
    if (!kindRoles[kind].includes(role))
      throw invalid(`A ${tokenTypes[kind]} token may not carry the role ${role}.`)
    granted.add(role)
  }
  return [...granted]
}

function clearanceClaim(value: unknown, granted: readonly Role[]): Tlp {
  const ceiling = clearanceCeiling(granted)
  if (value === undefined) return ceiling
  if (typeof value !== 'string' || !(tlpLevels as readonly string[]).includes(value))
    throw invalid(`The claim clearance must be one of ${tlpLevels.join(', ')}.`)
  const clearance = value as Tlp
  if (tlpLevels.indexOf(clearance) > tlpLevels.indexOf(ceiling))
    throw invalid(`The claim clearance ${clearance} is above what the token's roles allow (${ceiling}).`)
  return clearance
}

/**
 * The Principal of a verified token. The agency comes from the issuer's binding in the config,
 * never from a claim: an issuer speaks for one agency only.
 */
export function principalFromClaims(
  payload: Record<string, unknown>,
  kind: TokenKind,
  agency: string,
): Principal {
  const roles = rolesClaim(payload.roles, kind)
  const purpose = optionalText(payload.purpose, 'purpose', claimLimits.purpose)
  const caseReference = optionalText(payload.case_ref, 'case_ref', claimLimits.caseReference)
  return Object.freeze({
    kind,
    agency,
    subject: boundedText(payload.sub, 'sub', claimLimits.subject),
    roles: Object.freeze(roles),
    scopes: scopesOfRoles(roles),
    clearance: clearanceClaim(payload.clearance, roles),
    tokenId: boundedText(payload.jti, 'jti', claimLimits.tokenId),
    ...(purpose === undefined ? {} : { purpose }),
    ...(caseReference === undefined ? {} : { caseReference }),
  })
}
