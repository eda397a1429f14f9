/**
 * The outbound half of federation: one call to one peer's `/federation/graphql`, and the circuit
 * breakers. Every call is bounded (FACTS.md, undici): a per-peer deadline and the fan-out's overall
 * deadline through one AbortSignal (undici's bodyTimeout restarts on every chunk, so a peer that
 * drips bytes would never trip it), a response size cap counted while reading, no redirects (a pool
 * never follows them; a 3xx is refused), JSON parsed with `__proto__` refused, and the disclosure
 * receipt verified against the peer's keys on the trust list before its answer is used.
 *
 * Each outcome becomes a peer status and a catalogue code (docs/protocol.md, "Peer status"); a
 * failure never throws out of `call`, so one peer can cost only its own slice.
 */
import { Pool } from 'undici'
import type { PeerStatus } from '../../../schema/index.ts'
import { schemaHash } from '../../../schema/index.ts'
import { sha256Hex } from '../audit/chain.ts'
import { verifyReceipt } from '../audit/signed.ts'
import type { PrivateSigningKey } from '../auth/keys.ts'
import type { Principal } from '../auth/principal.ts'
import type { ErrorCode } from '../errors.ts'
import type { WithheldField } from '../policy/fields.ts'
import { signPeerAssertion } from './assertion.ts'
import { federationPath, receiptHeader, schemaHeader } from './inbound.ts'
import type { TrustMember } from './trust-list.ts'
import { peerWithheldOf } from './withheld.ts'

export interface PeerCallSettings {
  peerTimeoutMs: number
  maxResponseBytes: number
  connectionsPerPeer: number
  assertionLifetimeSeconds: number
  circuitBreaker: { failureThreshold: number; openMs: number }
  /** The federation CA (PEM): https peers are verified against it alone. */
  ca?: string
}

export interface PeerCall {
  member: TrustMember
  /** The exact JSON body to send; the assertion vouches for its SHA-256. */
  body: string
  principal: Principal
  purpose: string
  caseReference?: string | undefined
  requestId: string
  /** The fan-out's overall deadline. */
  signal: AbortSignal
}

export interface PeerOutcome {
  agency: string
  status: PeerStatus
  /** Null when the peer was not called (open circuit, not trusted). */
  latencyMs: number | null
  code: string | null
  /** The GraphQL `data` of an ANSWERED call. */
  data?: Record<string, unknown>
  /** The verified receipt of an ANSWERED call. */
  receipt?: string
  /** What the peer's policy withheld from an ANSWERED call, at the peer's paths (`result...`). */
  withheld?: WithheldField[]
}

/** A peer's code is shown to clients: only a code-shaped string is passed on. */
const codeShape = /^[A-Z][A-Z0-9_]{1,63}$/

class PeerFailure extends Error {
  readonly status: PeerStatus
  readonly code: ErrorCode | string
  constructor(status: PeerStatus, code: ErrorCode | string) {
    super(code)
    this.status = status
    this.code = code
  }
}

/**
 * A TLS handshake refused for the peer's certificate (OpenSSL's verification codes, Node's host
 * check), told apart from a peer that is down: the remedy is the certificate, not the network.
 */
function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  return (
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'CERT_HAS_EXPIRED' ||
    code === 'CERT_NOT_YET_VALID' ||
    code === 'CERT_SIGNATURE_FAILURE' ||
    code === 'CERT_UNTRUSTED' ||
    code === 'CERT_REJECTED' ||
    code === 'INVALID_CA' ||
    code === 'INVALID_PURPOSE'
  )
}

/** JSON.parse that refuses prototype-poisoning keys anywhere in the document. */
export function parseJsonSecurely(text: string): unknown {
  return JSON.parse(text, (key, value) => {
    if (key === '__proto__') throw new SyntaxError('__proto__ is refused')
    if (key === 'constructor' && value && typeof value === 'object' && 'prototype' in value)
      throw new SyntaxError('constructor.prototype is refused')
    return value
  })
}

interface Breaker {
  failures: number
  openUntil: number
  trial: boolean
}

export interface PeerClient {
  call(call: PeerCall): Promise<PeerOutcome>
  /** The breaker's view of a peer, for tests and metrics. */
  circuit(agency: string): { open: boolean; failures: number }
  close(): Promise<void>
}

export function createPeerClient(options: {
  self: string
  signingKey: PrivateSigningKey
  settings: PeerCallSettings
  now?: () => number
}): PeerClient {
  const { self, signingKey, settings } = options
  const now = options.now ?? Date.now
  const pools = new Map<string, Pool>()
  const breakers = new Map<string, Breaker>()

  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin)
    if (!pool) {
      pool = new Pool(origin, {
        connections: settings.connectionsPerPeer,
        // The deadline is the AbortSignal's; these only stop undici from giving up earlier or later.
        headersTimeout: settings.peerTimeoutMs + 1_000,
        bodyTimeout: settings.peerTimeoutMs + 1_000,
        connectTimeout: settings.peerTimeoutMs,
        // https peers: the certificate must chain to the federation CA and name the peer's host.
        ...(settings.ca && origin.startsWith('https:') ? { connect: { ca: settings.ca } } : {}),
      })
      pools.set(origin, pool)
    }
    return pool
  }

  const breakerOf = (agency: string): Breaker => {
    let breaker = breakers.get(agency)
    if (!breaker) {
      breaker = { failures: 0, openUntil: 0, trial: false }
      breakers.set(agency, breaker)
    }
    return breaker
  }

  /** Reads at most the cap; a larger body is abandoned at once rather than read to the end. */
  async function readCapped(body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => void }) {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of body) {
      size += chunk.length
      if (size > settings.maxResponseBytes) {
        body.destroy?.()
        throw new PeerFailure('ERROR', 'PEER_RESPONSE_TOO_LARGE')
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks, size)
  }

  function errorCodeOf(parsed: unknown): string | undefined {
    const code = (parsed as { errors?: { extensions?: { code?: unknown } }[] } | null)?.errors?.[0]
      ?.extensions?.code
    return typeof code === 'string' && codeShape.test(code) ? code : undefined
  }

  async function exchange(call: PeerCall, signal: AbortSignal): Promise<PeerOutcome> {
    const { member } = call
    const url = new URL(`${member.url}${federationPath}`)
    const assertion = await signPeerAssertion(signingKey, {
      issuer: self,
      audience: member.agency,
      principal: call.principal,
      purpose: call.purpose,
      caseReference: call.caseReference,
      bodyDigest: sha256Hex(call.body),
      lifetimeSeconds: settings.assertionLifetimeSeconds,
    })
    let response: Awaited<ReturnType<Pool['request']>>
    try {
      response = await poolFor(url.origin).request({
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${assertion}`,
          [schemaHeader]: schemaHash,
          'x-request-id': call.requestId,
        },
        body: call.body,
        signal,
      })
    } catch (error) {
      if (signal.aborted) throw new PeerFailure('TIMEOUT', 'PEER_TIMEOUT')
      if (isCertificateError(error)) throw new PeerFailure('UNAVAILABLE', 'PEER_CERTIFICATE_INVALID')
      throw new PeerFailure('UNAVAILABLE', 'PEER_UNREACHABLE')
    }
    const { statusCode, headers } = response
    // A deadline that fires after we stopped reading (a refused redirect, a cut-off body) errors
    // the stream again; that failure is already decided, it must not surface as an unhandled error.
    response.body.on('error', () => {})
    if (statusCode >= 300 && statusCode < 400) {
      response.body.destroy()
      throw new PeerFailure('ERROR', 'PEER_REDIRECT_REFUSED')
    }
    const bytes = await readCapped(response.body)
    let parsed: unknown
    try {
      parsed = parseJsonSecurely(bytes.toString('utf8'))
    } catch {
      throw new PeerFailure('ERROR', 'PEER_RESPONSE_INVALID')
    }
    if (statusCode === 401 || statusCode === 403)
      throw new PeerFailure('DENIED', errorCodeOf(parsed) ?? 'PEER_ERROR')
    if (statusCode !== 200) throw new PeerFailure('ERROR', errorCodeOf(parsed) ?? 'PEER_ERROR')
    const data = (parsed as { data?: unknown } | null)?.data
    if (!data || typeof data !== 'object' || Array.isArray(data))
      throw new PeerFailure('ERROR', errorCodeOf(parsed) ?? 'PEER_RESPONSE_INVALID')
    const withheld = peerWithheldOf(parsed)
    if (!withheld) throw new PeerFailure('ERROR', 'PEER_RESPONSE_INVALID')
    const receipt = headers[receiptHeader]
    if (typeof receipt !== 'string') throw new PeerFailure('ERROR', 'PEER_RECEIPT_INVALID')
    try {
      await verifyReceipt(receipt, member.keys.keys, {
        issuer: member.agency,
        audience: self,
        requestId: call.requestId,
        requestDigest: sha256Hex(call.body),
        responseDigest: sha256Hex(bytes),
      })
    } catch {
      throw new PeerFailure('ERROR', 'PEER_RECEIPT_INVALID')
    }
    return {
      agency: member.agency,
      status: 'ANSWERED',
      latencyMs: null,
      code: null,
      data: data as Record<string, unknown>,
      receipt,
      withheld,
    }
  }

  return {
    async call(call) {
      const agency = call.member.agency
      const breaker = breakerOf(agency)
      const at = now()
      if (breaker.openUntil > at || (breaker.openUntil !== 0 && breaker.trial)) {
        return { agency, status: 'UNAVAILABLE', latencyMs: null, code: 'PEER_CIRCUIT_OPEN' }
      }
      // Past the open period: this call is the one trial; others wait for its outcome.
      if (breaker.openUntil !== 0) breaker.trial = true
      const signal = AbortSignal.any([call.signal, AbortSignal.timeout(settings.peerTimeoutMs)])
      const started = performance.now()
      let outcome: PeerOutcome
      try {
        outcome = await exchange(call, signal)
      } catch (error) {
        const failure =
          error instanceof PeerFailure
            ? error
            : signal.aborted
              ? new PeerFailure('TIMEOUT', 'PEER_TIMEOUT')
              : new PeerFailure('ERROR', 'PEER_RESPONSE_INVALID')
        outcome = { agency, status: failure.status, latencyMs: null, code: failure.code }
      }
      outcome.latencyMs = Math.round(performance.now() - started)
      // A refusal is the peer working as it should; only failures to answer count against it.
      const failed = outcome.status !== 'ANSWERED' && outcome.status !== 'DENIED'
      breaker.trial = false
      if (failed) {
        breaker.failures += 1
        if (breaker.failures >= settings.circuitBreaker.failureThreshold)
          breaker.openUntil = now() + settings.circuitBreaker.openMs
      } else {
        breaker.failures = 0
        breaker.openUntil = 0
      }
      return outcome
    },
    circuit(agency) {
      const breaker = breakerOf(agency)
      return { open: breaker.openUntil > now(), failures: breaker.failures }
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close().catch(() => undefined)))
      pools.clear()
    },
  }
}
