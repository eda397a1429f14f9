/**
 * The federation's trust list: a JSON document of the members (agency code, name, country, role,
 * node URL, public keys), with a version and a validity window, carried as the payload of a compact
 * JWS that the secretariat signs (header `typ: trust-list+jwt`). Pure logic, no Fastify: validation
 * against schema/trust-list.schema.json plus the rules a schema cannot say, signing, verification
 * against the trust anchor (the secretariat's public key, configured out of band), and the
 * secretariat's unsigned draft that `jaring trust` edits. docs/protocol.md, "Trust list", is the
 * specification; every refusal is a TrustListError with a stable code and a message naming the field.
 */
import { createHash, createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { ErrorObject } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats'
import {
  CompactSign,
  type CryptoKey,
  compactVerify,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose'
import {
  allowedAlgorithms,
  type JsonWebKeySet,
  type PrivateSigningKey,
  readJwks,
  type SigningAlgorithm,
} from '../auth/keys.ts'
import type { TrustRole, TrustRoles } from '../policy/decide.ts'
import { pathOf } from '../policy/validate.ts'

export type { TrustRole, TrustRoles } from '../policy/decide.ts'

export const trustRoles = ['member', 'partner', 'secretariat'] as const satisfies readonly TrustRole[]

/** The `typ` header of every signed trust list. */
export const trustListType = 'trust-list+jwt'
/** Slack for issuedAt and expiresAt, in seconds, unless the caller sets another. */
export const defaultClockToleranceSeconds = 60
/** A signed list larger than this is refused before any parsing (1 MiB). */
export const maxSignedTrustListBytes = 1024 * 1024

export interface TrustMember {
  readonly agency: string
  readonly name: string
  /** ISO 3166-1 alpha-2. */
  readonly country: string
  readonly role: TrustRole
  /** The node's base URL, without a trailing slash; absent only for a secretariat that runs no node. */
  readonly url?: string
  /** Public keys only: each with kid and alg (EdDSA or ES256). */
  readonly keys: JsonWebKeySet
}

export interface TrustList {
  readonly version: number
  /** RFC 3339. */
  readonly issuedAt: string
  /** RFC 3339. */
  readonly expiresAt: string
  /** The secretariat's agency code. */
  readonly issuer: string
  readonly members: readonly TrustMember[]
}

/** A list that passed every check of `verifyTrustList`, with what signed it. Deeply frozen. */
export interface VerifiedTrustList {
  readonly list: TrustList
  /** The anchor key that verified the signature. */
  readonly kid: string
  readonly alg: SigningAlgorithm
  /** SHA-256 (base64url) of the compact JWS as received, for logs and audit rows. */
  readonly sha256: string
}

/** The secretariat's public key as configured on a node: one public JWK, or a JWKS (during a rotation). */
export type TrustAnchor = JWK | JsonWebKeySet

export const trustListErrorCodes = [
  'TRUST_LIST_UNSIGNED',
  'TRUST_LIST_MALFORMED',
  'TRUST_LIST_TOO_LARGE',
  'TRUST_LIST_ALGORITHM_REFUSED',
  'TRUST_LIST_HEADER_REFUSED',
  'TRUST_LIST_TYPE_INVALID',
  'TRUST_LIST_KEY_UNKNOWN',
  'TRUST_LIST_SIGNATURE_INVALID',
  'TRUST_LIST_INVALID',
  'TRUST_LIST_NOT_YET_VALID',
  'TRUST_LIST_EXPIRED',
  'TRUST_LIST_ROLLBACK',
  'TRUST_LIST_VERSION_CONFLICT',
  'TRUST_LIST_UNREADABLE',
  'TRUST_ANCHOR_INVALID',
] as const
export type TrustListErrorCode = (typeof trustListErrorCodes)[number]

/** One problem of a document: where (`members[1].url`) and why. */
export interface TrustListIssue {
  path: string
  reason: string
}

export const formatTrustListIssue = (issue: TrustListIssue): string => `${issue.path}: ${issue.reason}`

/** A refused trust list (or anchor). `code` is stable; the message names the field at fault. */
export class TrustListError extends Error {
  readonly code: TrustListErrorCode
  /** For TRUST_LIST_INVALID: every problem found; otherwise the one the message states. */
  readonly issues: readonly TrustListIssue[]
  constructor(
    code: TrustListErrorCode,
    issues: TrustListIssue | readonly TrustListIssue[],
    options: { cause?: unknown } = {},
  ) {
    const list = Array.isArray(issues) ? (issues as readonly TrustListIssue[]) : [issues as TrustListIssue]
    super(
      list.map(formatTrustListIssue).join('; '),
      options.cause === undefined ? {} : { cause: options.cause },
    )
    this.name = 'TrustListError'
    this.code = code
    this.issues = list
  }
}

export const isTrustListError = (error: unknown): error is TrustListError => error instanceof TrustListError

const fail = (code: TrustListErrorCode, path: string, reason: string, cause?: unknown): never => {
  throw new TrustListError(code, { path, reason }, { cause })
}

// --- Validation --------------------------------------------------------------------------------

export const trustListSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../../schema/trust-list.schema.json', import.meta.url), 'utf8'),
)

// ajv-formats is CommonJS: Node hands over module.exports, whose `default` is the plugin itself.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default

// strictRequired would refuse `required` inside if/then/else, whose properties the parent defines.
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false })
ajv.addVocabulary(['x-noun', 'x-member', 'x-expected', 'x-reason'])
addFormats(ajv, ['date-time'])
const validateSchema = ajv.compile(trustListSchema)

/** JWK members that hold private material (OKP and EC use `d`; the rest would be RSA or secrets). */
const privateMembers = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])

interface Annotated {
  'x-noun'?: string
  'x-member'?: string
  'x-expected'?: string
  'x-reason'?: string
  properties?: Record<string, unknown>
  enum?: unknown[]
}

const typeNames: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
}

const quote = (value: unknown) => JSON.stringify(value)

function describeSchemaError(document: unknown, error: ErrorObject): TrustListIssue | null {
  const parent = (error.parentSchema ?? {}) as Annotated
  const at = (extra?: string) => pathOf(document, error.instancePath, extra)
  switch (error.keyword) {
    case 'required':
      return { path: at(String(error.params.missingProperty)), reason: 'is required' }
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty)
      if (privateMembers.has(name) && parent['x-member'] === 'key member') {
        return {
          path: at(name),
          reason: 'is private key material: a trust list carries public keys only',
        }
      }
      const known = Object.keys(parent.properties ?? {})
      return {
        path: at(name),
        reason: `unknown ${parent['x-member'] ?? 'field'} ${quote(name)}${known.length > 0 ? ` (expected one of: ${known.join(', ')})` : ''}`,
      }
    }
    case 'enum': {
      const allowed = (parent.enum ?? []).map(String)
      return {
        path: at(),
        reason: `unknown ${parent['x-noun'] ?? 'value'} ${quote(error.data)} (expected one of: ${allowed.join(', ')})`,
      }
    }
    case 'const':
      return {
        path: at(),
        reason: `must be ${parent['x-expected'] ?? quote(error.schema)}, not ${quote(error.data)}`,
      }
    case 'not':
      return {
        path: at(),
        reason: (error.schema as Annotated)['x-reason'] ?? 'is not allowed here',
      }
    case 'type':
      return { path: at(), reason: `must be ${typeNames[String(error.params.type)] ?? error.params.type}` }
    case 'pattern':
    case 'format':
      return {
        path: at(),
        reason: `must be ${parent['x-expected'] ?? `in the form ${error.schema}`}, not ${quote(error.data)}`,
      }
    case 'minItems':
      return {
        path: at(),
        reason: error.params.limit === 1 ? 'must not be empty' : (error.message ?? 'has too few items'),
      }
    case 'maxItems':
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'maxLength':
      return { path: at(), reason: error.message ?? 'is out of range' }
    // The failing branch reports its own errors; the `if` wrapper adds nothing.
    case 'if':
      return null
    default:
      return { path: at(), reason: error.message ?? 'is not valid' }
  }
}

function schemaIssues(document: unknown): TrustListIssue[] {
  if (validateSchema(document)) return []
  const issues: TrustListIssue[] = []
  const seen = new Set<string>()
  for (const error of validateSchema.errors ?? []) {
    const issue = describeSchemaError(document, error)
    if (!issue) continue
    const key = formatTrustListIssue(issue)
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return issues
}

function urlIssue(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${quote(url)} is not a URL`
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must use http or https'
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials'
  if (parsed.search !== '' || parsed.hash !== '') return 'must not carry a query or a fragment'
  if (parsed.hostname === '') return 'must name a host'
  return null
}

/** The rules a schema cannot express; runs only on a document the schema accepted. */
function semanticIssues(list: TrustList): TrustListIssue[] {
  const issues: TrustListIssue[] = []
  const issued = Date.parse(list.issuedAt)
  const expires = Date.parse(list.expiresAt)
  if (Number.isNaN(issued)) issues.push({ path: 'issuedAt', reason: 'is not a usable instant' })
  if (Number.isNaN(expires)) issues.push({ path: 'expiresAt', reason: 'is not a usable instant' })
  if (!Number.isNaN(issued) && !Number.isNaN(expires) && expires <= issued)
    issues.push({ path: 'expiresAt', reason: `must be after issuedAt (${list.issuedAt})` })

  const firstIndex = new Map<string, number>()
  list.members.forEach((member, index) => {
    const at = `members[${index}]`
    const earlier = firstIndex.get(member.agency)
    if (earlier === undefined) firstIndex.set(member.agency, index)
    else
      issues.push({
        path: `${at}.agency`,
        reason: `${member.agency} is listed twice (also members[${earlier}])`,
      })
    if (member.role === 'secretariat' && member.agency !== list.issuer)
      issues.push({
        path: `${at}.role`,
        reason: `only the issuer (${list.issuer}) may be the secretariat, not ${member.agency}`,
      })
    if (member.url !== undefined) {
      const reason = urlIssue(member.url)
      if (reason) issues.push({ path: `${at}.url`, reason })
    }
    const kids = new Map<string, number>()
    member.keys.keys.forEach((key, keyIndex) => {
      const keyAt = `${at}.keys.keys[${keyIndex}]`
      const kid = String(key.kid)
      const earlierKey = kids.get(kid)
      if (earlierKey === undefined) kids.set(kid, keyIndex)
      else
        issues.push({
          path: `${keyAt}.kid`,
          reason: `${quote(kid)} is used twice (also keys[${earlierKey}])`,
        })
      try {
        createPublicKey({ key: key as NodeJsonWebKey, format: 'jwk' })
      } catch {
        issues.push({ path: keyAt, reason: `is not a usable ${String(key.crv)} public key` })
      }
    })
  })
  const issuer = list.members.find((member) => member.agency === list.issuer)
  if (!issuer) issues.push({ path: 'issuer', reason: `${list.issuer} is not among the members` })
  else if (issuer.role !== 'secretariat')
    issues.push({
      path: 'issuer',
      reason: `${list.issuer} is listed with role ${issuer.role}; the issuer must have role secretariat`,
    })
  return issues
}

/** Every problem of a document; none means it is a valid TrustList. */
export function validateTrustList(document: unknown): TrustListIssue[] {
  const issues = schemaIssues(document)
  if (issues.length > 0) return issues
  return semanticIssues(document as TrustList)
}

/** The document as a TrustList, or TRUST_LIST_INVALID listing every problem. */
export function parseTrustList(document: unknown): TrustList {
  const issues = validateTrustList(document)
  if (issues.length > 0) throw new TrustListError('TRUST_LIST_INVALID', issues)
  return document as TrustList
}

/** Builds and validates a list; instants may be given as Dates (written to the second, in UTC). */
export function createTrustList(input: {
  version: number
  issuedAt: Date | string
  expiresAt: Date | string
  issuer: string
  members: readonly TrustMember[]
}): TrustList {
  return parseTrustList({
    version: input.version,
    issuedAt: rfc3339(input.issuedAt),
    expiresAt: rfc3339(input.expiresAt),
    issuer: input.issuer,
    members: input.members.map((member) => structuredClone(member)),
  })
}

/** An instant as RFC 3339 in UTC, to the second: `2026-11-20T08:00:00Z`. */
export function rfc3339(instant: Date | string): string {
  if (typeof instant === 'string') return instant
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// --- Helpers over a list -----------------------------------------------------------------------

export function memberOf(list: TrustList, agency: string): TrustMember | undefined {
  return list.members.find((member) => member.agency === agency)
}

/** The agency's public keys (for `createLocalJWKSet`), or undefined when it is not on the list. */
export function publicKeysOf(list: TrustList, agency: string): JsonWebKeySet | undefined {
  return memberOf(list, agency)?.keys
}

/** Every agency's role, for the policy's built-in groups (member, partner, secretariat, all). */
export function rolesOf(list: TrustList): TrustRoles {
  return Object.fromEntries(list.members.map((member) => [member.agency, member.role]))
}

/** The members a node can call: every other member with a node URL, by agency code. */
export function peersOf(list: TrustList, selfAgency: string): readonly TrustMember[] {
  return list.members
    .filter((member) => member.agency !== selfAgency && member.url !== undefined)
    .sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0))
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    )
  return value
}

/**
 * SHA-256 (base64url) of what the list says, apart from its version and validity window: the issuer
 * and the members in agency order, keys sorted. Two signings with the same digest say the same thing.
 */
export function trustListContentDigest(list: Pick<TrustList, 'issuer' | 'members'>): string {
  const members = [...list.members].sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0))
  const text = JSON.stringify(canonical({ issuer: list.issuer, members }))
  return createHash('sha256').update(text).digest('base64url')
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

// --- Signing -----------------------------------------------------------------------------------

/** Signs a valid list as a compact JWS: header { alg, typ: trust-list+jwt, kid }, payload the document. */
export async function signTrustList(list: TrustList, key: PrivateSigningKey): Promise<string> {
  const document = parseTrustList(list)
  if (!(allowedAlgorithms as readonly string[]).includes(key.alg))
    fail('TRUST_LIST_ALGORITHM_REFUSED', 'key.alg', `must be one of ${allowedAlgorithms.join(', ')}`)
  const payload = new TextEncoder().encode(JSON.stringify(document))
  return new CompactSign(payload)
    .setProtectedHeader({ alg: key.alg, typ: trustListType, kid: key.kid })
    .sign(key.key)
}

// --- Trust anchor ------------------------------------------------------------------------------

const anchorCurves: Record<SigningAlgorithm, { kty: string; crv: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
}

/** The anchor's keys, checked: public, with kid and a pinned alg that fits the key. */
export function trustAnchorKeys(anchor: TrustAnchor): JWK[] {
  if (anchor === null || typeof anchor !== 'object')
    fail('TRUST_ANCHOR_INVALID', 'anchor', 'must be a public JWK or a JWKS')
  const keys = Array.isArray((anchor as JsonWebKeySet).keys)
    ? (anchor as JsonWebKeySet).keys
    : [anchor as JWK]
  const path = (index: number) =>
    Array.isArray((anchor as JsonWebKeySet).keys) ? `anchor.keys[${index}]` : 'anchor'
  if (keys.length === 0) fail('TRUST_ANCHOR_INVALID', 'anchor.keys', 'must not be empty')
  keys.forEach((key, index) => {
    if (key === null || typeof key !== 'object') fail('TRUST_ANCHOR_INVALID', path(index), 'must be a JWK')
    for (const member of Object.keys(key))
      if (privateMembers.has(member))
        fail(
          'TRUST_ANCHOR_INVALID',
          `${path(index)}.${member}`,
          'is private key material: the anchor is a public key',
        )
    if (typeof key.kid !== 'string' || key.kid === '')
      fail('TRUST_ANCHOR_INVALID', `${path(index)}.kid`, 'is required')
    if (!(allowedAlgorithms as readonly unknown[]).includes(key.alg))
      fail('TRUST_ANCHOR_INVALID', `${path(index)}.alg`, `must be one of ${allowedAlgorithms.join(', ')}`)
    const expected = anchorCurves[key.alg as SigningAlgorithm]
    if (key.kty !== expected.kty || key.crv !== expected.crv)
      fail(
        'TRUST_ANCHOR_INVALID',
        path(index),
        `an ${key.alg} key must be ${expected.kty} on ${expected.crv}`,
      )
  })
  return keys
}

/** Reads the anchor from a file holding a public JWKS (as `jaring trust init` writes) or one public JWK. */
export async function readTrustAnchor(file: string): Promise<TrustAnchor> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return fail('TRUST_ANCHOR_INVALID', file, code ? `cannot be read (${code})` : 'is not JSON', error)
  }
  let anchor: TrustAnchor
  if (parsed !== null && typeof parsed === 'object' && 'keys' in parsed) {
    try {
      anchor = await readJwks(file)
    } catch (error) {
      return fail('TRUST_ANCHOR_INVALID', file, (error as Error).message.replace(`${file}: `, ''), error)
    }
  } else anchor = parsed as JWK
  try {
    trustAnchorKeys(anchor)
  } catch (error) {
    if (error instanceof TrustListError)
      throw new TrustListError(
        error.code,
        error.issues.map((issue) => ({ ...issue, path: `${file}: ${issue.path}` })),
      )
    throw error
  }
  return anchor
}

// --- Verification ------------------------------------------------------------------------------

/** Headers that would let a list name or carry its own key, or change how it is verified. */
const refusedHeaders = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'] as const

const base64urlPart = /^[A-Za-z0-9_-]*$/

export interface VerifyTrustListOptions {
  /** The instant to check against (default: now). */
  now?: Date | number
  /** The version the node holds: a lower version is a rollback. */
  minimumVersion?: number
  /** Slack for issuedAt and expiresAt, in seconds (default 60). */
  clockToleranceSeconds?: number
}

/** RFC 8725 3.11: `typ` compared case-insensitively, the `application/` prefix optional. */
function isTrustListType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false
  const lower = typ.toLowerCase()
  return (lower.startsWith('application/') ? lower.slice('application/'.length) : lower) === trustListType
}

function checkHeader(header: ProtectedHeaderParameters, signature: string): SigningAlgorithm {
  if (header.alg === 'none' || signature === '')
    fail(
      'TRUST_LIST_UNSIGNED',
      'header.alg',
      'the list carries no signature (alg none or an empty signature)',
    )
  if (typeof header.alg !== 'string' || !(allowedAlgorithms as readonly string[]).includes(header.alg))
    fail(
      'TRUST_LIST_ALGORITHM_REFUSED',
      'header.alg',
      `${quote(header.alg)} is not accepted (only ${allowedAlgorithms.join(' and ')})`,
    )
  for (const name of refusedHeaders)
    if (Object.hasOwn(header, name))
      fail(
        'TRUST_LIST_HEADER_REFUSED',
        `header.${name}`,
        'is not accepted: the anchor alone says which key signs',
      )
  if (!isTrustListType(header.typ))
    fail('TRUST_LIST_TYPE_INVALID', 'header.typ', `must be ${trustListType}, not ${quote(header.typ)}`)
  if (typeof header.kid !== 'string' || header.kid === '')
    fail('TRUST_LIST_KEY_UNKNOWN', 'header.kid', 'is required')
  return header.alg as SigningAlgorithm
}

/**
 * Verifies a signed list against the trust anchor and returns it, or throws a TrustListError. The
 * order of the checks is part of the protocol (docs/protocol.md): form, header, key, signature,
 * document, validity window, rollback. Nothing of the payload is used before the signature holds.
 */
export async function verifyTrustList(
  jws: string,
  anchor: TrustAnchor,
  options: VerifyTrustListOptions = {},
): Promise<VerifiedTrustList> {
  if (typeof jws !== 'string') return fail('TRUST_LIST_MALFORMED', '(input)', 'must be a compact JWS string')
  const text = jws.trim()
  if (Buffer.byteLength(text) > maxSignedTrustListBytes)
    fail('TRUST_LIST_TOO_LARGE', '(input)', `is over ${maxSignedTrustListBytes} bytes`)
  if (text.startsWith('{') || text.startsWith('['))
    fail('TRUST_LIST_UNSIGNED', '(input)', 'is a bare JSON document, not a signed list (compact JWS)')
  const parts = text.split('.')
  if (parts.length !== 3 || !parts.every((part) => base64urlPart.test(part)) || parts[0] === '')
    fail('TRUST_LIST_MALFORMED', '(input)', 'is not a compact JWS (three base64url parts joined by dots)')
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(text)
  } catch (error) {
    return fail('TRUST_LIST_MALFORMED', 'header', 'is not a JSON object in base64url', error)
  }
  const alg = checkHeader(header, parts[2] as string)
  const kid = header.kid as string

  const candidates = trustAnchorKeys(anchor).filter((key) => key.kid === kid)
  if (candidates.length === 0)
    fail('TRUST_LIST_KEY_UNKNOWN', 'header.kid', `${quote(kid)} is not a key of the trust anchor`)
  if (candidates.length > 1)
    fail('TRUST_LIST_KEY_UNKNOWN', 'header.kid', `${quote(kid)} names several keys of the trust anchor`)
  const anchorKey = candidates[0] as JWK
  if (anchorKey.alg !== alg)
    fail(
      'TRUST_LIST_ALGORITHM_REFUSED',
      'header.alg',
      `is ${alg}, but the anchor key ${quote(kid)} is for ${anchorKey.alg}`,
    )

  let payloadBytes: Uint8Array
  try {
    const key = (await importJWK(anchorKey, alg)) as CryptoKey
    ;({ payload: payloadBytes } = await compactVerify(text, key, { algorithms: [alg] }))
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return fail(
        'TRUST_LIST_SIGNATURE_INVALID',
        'signature',
        `does not verify with the anchor key ${quote(kid)}`,
        error,
      )
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
      return fail('TRUST_LIST_ALGORITHM_REFUSED', 'header.alg', 'is not accepted', error)
    return fail('TRUST_LIST_MALFORMED', '(input)', 'could not be verified as a compact JWS', error)
  }

  let document: unknown
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes))
  } catch (error) {
    return fail('TRUST_LIST_MALFORMED', 'payload', 'is not a JSON document in UTF-8', error)
  }
  const list = parseTrustList(document)

  const now = options.now === undefined ? Date.now() : Number(options.now)
  const toleranceMs = (options.clockToleranceSeconds ?? defaultClockToleranceSeconds) * 1000
  const at = new Date(now).toISOString()
  if (Date.parse(list.issuedAt) > now + toleranceMs)
    fail('TRUST_LIST_NOT_YET_VALID', 'issuedAt', `${list.issuedAt} is in the future (now ${at})`)
  if (Date.parse(list.expiresAt) <= now - toleranceMs)
    fail('TRUST_LIST_EXPIRED', 'expiresAt', `the list expired at ${list.expiresAt} (now ${at})`)
  if (options.minimumVersion !== undefined && list.version < options.minimumVersion)
    fail(
      'TRUST_LIST_ROLLBACK',
      'version',
      `${list.version} is lower than the version already held (${options.minimumVersion})`,
    )

  return deepFreeze({
    list: structuredClone(list),
    kid,
    alg,
    sha256: createHash('sha256').update(text).digest('base64url'),
  })
}

/** Whether a verified list has expired at `now` (same tolerance rule as `verifyTrustList`). */
export function isTrustListExpired(
  list: TrustList,
  now: Date | number = Date.now(),
  clockToleranceSeconds = defaultClockToleranceSeconds,
): boolean {
  return Date.parse(list.expiresAt) <= Number(now) - clockToleranceSeconds * 1000
}

/**
 * The payload of a signed list WITHOUT verifying it: only for the secretariat's own tooling (to
 * number the next version after the last one written). Never trust what this returns.
 */
export function decodeTrustListUnverified(jws: string): unknown {
  const parts = jws.trim().split('.')
  if (parts.length !== 3 || !parts.every((part) => base64urlPart.test(part)))
    fail('TRUST_LIST_MALFORMED', '(input)', 'is not a compact JWS (three base64url parts joined by dots)')
  try {
    return JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'))
  } catch (error) {
    return fail('TRUST_LIST_MALFORMED', 'payload', 'is not a JSON document', error)
  }
}

// --- The secretariat's draft -------------------------------------------------------------------

/** What was last signed from a draft, so the next signing knows whether to raise the version. */
export interface TrustListDraftSigned {
  version: number
  /** `trustListContentDigest` of what was signed. */
  sha256: string
  issuedAt: string
  expiresAt: string
}

/**
 * The unsigned list the secretariat edits (`trust-list.json`): the document without its validity
 * window (set when signing), plus a record of the last signing.
 */
export interface TrustListDraft {
  version: number
  issuer: string
  members: TrustMember[]
  signed?: TrustListDraftSigned
}

const draftFields = ['version', 'issuer', 'members', 'signed']
const placeholderWindow = { issuedAt: '2000-01-01T00:00:00Z', expiresAt: '2000-01-02T00:00:00Z' }

function signedIssues(signed: unknown): TrustListIssue[] {
  if (signed === null || typeof signed !== 'object' || Array.isArray(signed))
    return [{ path: 'signed', reason: 'must be an object' }]
  const record = signed as Record<string, unknown>
  const issues: TrustListIssue[] = []
  for (const name of Object.keys(record))
    if (!['version', 'sha256', 'issuedAt', 'expiresAt'].includes(name))
      issues.push({ path: `signed.${name}`, reason: `unknown field ${quote(name)}` })
  if (!Number.isSafeInteger(record.version) || (record.version as number) < 1)
    issues.push({ path: 'signed.version', reason: 'must be a whole number from 1' })
  if (typeof record.sha256 !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(record.sha256))
    issues.push({ path: 'signed.sha256', reason: 'must be a SHA-256 in base64url' })
  for (const name of ['issuedAt', 'expiresAt'])
    if (typeof record[name] !== 'string' || Number.isNaN(Date.parse(record[name] as string)))
      issues.push({ path: `signed.${name}`, reason: 'must be an RFC 3339 date-time' })
  return issues
}

/** Every problem of a draft, with the same paths as in the signed document. */
export function validateTrustListDraft(value: unknown): TrustListIssue[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [{ path: '(document)', reason: 'must be an object' }]
  const record = value as Record<string, unknown>
  const issues: TrustListIssue[] = []
  for (const name of Object.keys(record)) {
    if (draftFields.includes(name)) continue
    issues.push({
      path: name,
      reason:
        name === 'issuedAt' || name === 'expiresAt'
          ? 'is set when the list is signed; a draft does not carry it'
          : `unknown field ${quote(name)} (expected one of: ${draftFields.join(', ')})`,
    })
  }
  if (record.signed !== undefined) issues.push(...signedIssues(record.signed))
  const document = {
    version: record.version,
    ...placeholderWindow,
    issuer: record.issuer,
    members: record.members,
  }
  for (const name of ['version', 'issuer', 'members'])
    if (record[name] === undefined) delete (document as Record<string, unknown>)[name]
  issues.push(...validateTrustList(document))
  return issues
}

export function parseTrustListDraft(value: unknown): TrustListDraft {
  const issues = validateTrustListDraft(value)
  if (issues.length > 0) throw new TrustListError('TRUST_LIST_INVALID', issues)
  return value as TrustListDraft
}

const byAgency = (a: TrustMember, b: TrustMember) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0)

/** A copy of a member with its fields in the documented order (agency, name, country, role, url, keys). */
function orderedMember(member: TrustMember): TrustMember {
  return {
    agency: member.agency,
    name: member.name,
    country: member.country,
    role: member.role,
    ...(member.url === undefined ? {} : { url: member.url }),
    keys: structuredClone(member.keys),
  }
}

/** A new draft, version 1, with the secretariat as its only member. */
export function createTrustListDraft(secretariat: Omit<TrustMember, 'role'>): TrustListDraft {
  return parseTrustListDraft({
    version: 1,
    issuer: secretariat.agency,
    members: [orderedMember({ ...secretariat, role: 'secretariat' })],
  })
}

/**
 * Adds a member, or replaces the entry with the same agency code. The issuer's own entry may be
 * replaced only with role secretariat; no other agency may take that role.
 */
export function upsertTrustMember(
  draft: TrustListDraft,
  member: TrustMember,
): { draft: TrustListDraft; replaced: boolean } {
  if (member.agency === draft.issuer && member.role !== 'secretariat')
    fail('TRUST_LIST_INVALID', 'role', `${member.agency} is the list's issuer: its role stays secretariat`)
  const replaced = draft.members.some((entry) => entry.agency === member.agency)
  const members = [...draft.members.filter((entry) => entry.agency !== member.agency), orderedMember(member)]
  const { signed, ...rest } = draft
  const next = parseTrustListDraft({
    ...rest,
    members: members.sort(byAgency),
    ...(signed ? { signed } : {}),
  })
  return { draft: next, replaced }
}

/** Removes a member; the issuer cannot be removed, and an agency not on the list is an error. */
export function removeTrustMember(draft: TrustListDraft, agency: string): TrustListDraft {
  if (agency === draft.issuer)
    fail('TRUST_LIST_INVALID', 'agency', `${agency} is the list's issuer and cannot be removed`)
  if (!draft.members.some((member) => member.agency === agency))
    fail('TRUST_LIST_INVALID', 'agency', `${agency} is not on the list`)
  return parseTrustListDraft({
    ...draft,
    members: draft.members.filter((member) => member.agency !== agency),
  })
}

/** A previous signing: its version and `trustListContentDigest`. */
export interface SignedVersion {
  version: number
  sha256: string
}

/**
 * The list to sign from a draft: the version stays when the content is what the latest signing
 * said, and rises above it otherwise; never below the draft's own version.
 */
export function prepareTrustList(
  draft: TrustListDraft,
  options: { issuedAt: Date; expiresAt: Date; previous?: SignedVersion },
): { list: TrustList; changed: boolean; previousVersion: number | null } {
  const content = trustListContentDigest(draft)
  const candidates = [draft.signed, options.previous].filter((entry): entry is SignedVersion => !!entry)
  const latestVersion = Math.max(0, ...candidates.map((entry) => entry.version))
  const latest = candidates.filter((entry) => entry.version === latestVersion)
  let version: number
  let changed: boolean
  if (latest.length === 0) {
    version = draft.version
    changed = true
  } else {
    changed = !latest.every((entry) => entry.sha256 === content)
    version = Math.max(draft.version, changed ? latestVersion + 1 : latestVersion)
  }
  const list = createTrustList({
    version,
    issuedAt: options.issuedAt,
    expiresAt: options.expiresAt,
    issuer: draft.issuer,
    members: [...draft.members].sort(byAgency),
  })
  return { list, changed, previousVersion: latest.length === 0 ? null : latestVersion }
}
