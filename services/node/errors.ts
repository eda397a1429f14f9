/**
 * The coded error catalogue: every error a client can see has a stable code, an HTTP status and a
 * message here. Code throws `new JaringError('CODE', { detail })`; one formatter (GraphQL and REST)
 * shapes it. `docs/errors.md` lists the same codes; a test keeps the two in step.
 */

export const errorCatalogue = {
  // Input
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  VALIDATION_FAILED: { status: 400, message: 'The input is not valid.' },
  INVALID_IDENTIFIER: { status: 400, message: 'The identifier is not valid for its kind.' },
  INVALID_GLOBAL_ID: { status: 400, message: 'The id is not a global record id of the form AGENCY:uuid.' },
  INVALID_CURSOR: { status: 400, message: 'The pagination cursor is not valid.' },
  PAGE_TOO_LARGE: { status: 400, message: 'The page size is over the limit.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is over the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This HTTP method is not accepted here.' },
  // GraphQL document limits
  GRAPHQL_PARSE_FAILED: { status: 400, message: 'The GraphQL document could not be parsed.' },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    message: 'The GraphQL document is not valid against the schema.',
  },
  QUERY_TOO_DEEP: { status: 400, message: 'The query is nested too deeply.' },
  QUERY_TOO_COMPLEX: { status: 400, message: 'The query is too costly.' },
  TOO_MANY_ALIASES: { status: 400, message: 'The query uses too many aliases.' },
  TOO_MANY_TOKENS: { status: 400, message: 'The query has too many tokens.' },
  BATCHING_DISABLED: { status: 400, message: 'Batched GraphQL requests are not accepted.' },
  CSRF_REJECTED: {
    status: 400,
    message: 'The request lacks a header that proves it is not a cross-site request.',
  },
  INTROSPECTION_FORBIDDEN: { status: 403, message: 'Introspection is available to officers only.' },
  // Authentication and authorisation
  UNAUTHENTICATED: { status: 401, message: 'A bearer token is required.' },
  TOKEN_INVALID: { status: 401, message: 'The token could not be verified.' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired.' },
  TOKEN_NOT_YET_VALID: { status: 401, message: 'The token is not valid yet.' },
  TOKEN_TOO_OLD: { status: 401, message: 'The token was issued too long ago.' },
  TOKEN_UNKNOWN_ISSUER: { status: 401, message: 'The token comes from an issuer this node does not trust.' },
  TOKEN_AUDIENCE_MISMATCH: { status: 401, message: 'The token is not addressed to this node alone.' },
  TOKEN_ALGORITHM_REFUSED: {
    status: 401,
    message: 'The token uses an algorithm or header this node refuses.',
  },
  TOKEN_TOO_LARGE: { status: 401, message: 'The token is over the size limit.' },
  FORBIDDEN: { status: 403, message: 'The principal lacks the scope this operation needs.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later.' },
  // Records
  NOT_FOUND: { status: 404, message: 'No such record, or it is not visible to you.' },
  VERSION_CONFLICT: { status: 409, message: 'The record was changed by someone else; reload it and retry.' },
  DUPLICATE_EXTERNAL_REF: { status: 409, message: 'A record with this external reference already exists.' },
  FOREIGN_RECORD: { status: 400, message: 'A node stores only its own agency’s records.' },
  IMPORT_FAILED: { status: 422, message: 'The import batch was rejected; nothing was written.' },
  // Federation: refusals of an inbound peer request (docs/protocol.md)
  PEER_ASSERTION_REQUIRED: {
    status: 401,
    message: 'The federation endpoint takes a peer assertion (typ peer+jwt) only.',
  },
  PEER_ASSERTION_INVALID: { status: 401, message: 'The peer assertion could not be verified.' },
  PEER_ASSERTION_EXPIRED: { status: 401, message: 'The peer assertion has expired or is not valid yet.' },
  PEER_ASSERTION_REPLAYED: { status: 401, message: 'The peer assertion has been used before.' },
  PEER_AUDIENCE_MISMATCH: { status: 401, message: 'The peer assertion is not addressed to this node alone.' },
  PEER_UNKNOWN_ISSUER: {
    status: 401,
    message: 'The peer assertion comes from an agency that is not a member on the trust list in force.',
  },
  PEER_KEY_UNKNOWN: {
    status: 401,
    message: "The peer assertion's key is not among the asking agency's keys on the trust list.",
  },
  PEER_BODY_DIGEST_MISMATCH: {
    status: 401,
    message: 'The request body does not match the digest the peer assertion vouches for.',
  },
  SCHEMA_MISMATCH: {
    status: 409,
    message: 'The asking node serves a different schema (jaring-schema header).',
  },
  // Federation: a reach beyond this node, and what a peer's slice can fail with (`peers { code }`)
  REACH_PURPOSE_REQUIRED: { status: 400, message: 'A reach beyond this node needs a purpose.' },
  PEER_NOT_TRUSTED: { status: 503, message: 'The agency is not a peer on the trust list in force.' },
  PEER_UNREACHABLE: { status: 503, message: 'The peer node could not be reached.' },
  PEER_CERTIFICATE_INVALID: {
    status: 503,
    message: "The peer's TLS certificate was not issued by the federation CA or does not name the peer.",
  },
  PEER_CIRCUIT_OPEN: {
    status: 503,
    message: 'The peer failed repeatedly and is not being asked for a while (circuit open).',
  },
  PEER_TIMEOUT: { status: 504, message: 'The peer did not answer within the deadline.' },
  PEER_RESPONSE_TOO_LARGE: { status: 502, message: 'The peer answered more than the response size cap.' },
  PEER_RESPONSE_INVALID: {
    status: 502,
    message: 'The peer answered something other than a valid GraphQL response for the request.',
  },
  PEER_REDIRECT_REFUSED: {
    status: 502,
    message: 'The peer answered with a redirect, which is never followed.',
  },
  PEER_RECEIPT_INVALID: {
    status: 502,
    message: "The peer's disclosure receipt is missing or does not verify; its answer is discarded.",
  },
  PEER_ERROR: { status: 502, message: 'The peer answered with an error.' },
  // Availability
  DATABASE_UNAVAILABLE: { status: 503, message: 'The database is not reachable.' },
  AUDIT_UNAVAILABLE: { status: 503, message: 'The audit store is unavailable; no data was disclosed.' },
  TIMEOUT: { status: 504, message: 'The request took too long.' },
  INTERNAL: { status: 500, message: 'An internal error occurred; it has been logged.' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalogue

export interface ErrorDetails {
  /** A human sentence that adds to the catalogue message, naming the field or value at fault. */
  detail?: string
  /** Where the fault is: an input path (`filter.phone`), an NDJSON line, a config field. */
  path?: string
  /** Extra machine-readable facts (never internals: no SQL, stack or address). */
  extra?: Record<string, unknown>
  cause?: unknown
}

export class JaringError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly detail: string | undefined
  readonly path: string | undefined
  readonly extra: Record<string, unknown> | undefined

  constructor(code: ErrorCode, details: ErrorDetails = {}) {
    const entry = errorCatalogue[code]
    super(details.detail ? `${entry.message} ${details.detail}` : entry.message, { cause: details.cause })
    this.name = 'JaringError'
    this.code = code
    this.status = entry.status
    this.detail = details.detail
    this.path = details.path
    this.extra = details.extra
  }

  /** The JSON body shape used by REST and by GraphQL `extensions`. */
  toJSON(): { code: ErrorCode; message: string; path?: string } & Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.path ? { path: this.path } : {}),
      ...(this.extra ?? {}),
    }
  }
}

export function isJaringError(value: unknown): value is JaringError {
  return value instanceof JaringError
}

/**
 * Turns anything thrown into a client-safe coded error: a JaringError as is, Fastify's own errors
 * by their codes, and everything else as INTERNAL (the original goes to the log, never the client).
 */
export function toJaringError(error: unknown): JaringError {
  if (error instanceof JaringError) return error
  const fastifyError = error as {
    code?: string
    statusCode?: number
    validation?: unknown
    validationContext?: string
  }
  if (fastifyError?.validation) {
    const message = (error as Error).message
    return new JaringError('VALIDATION_FAILED', { detail: message.endsWith('.') ? message : `${message}.` })
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new JaringError('PAYLOAD_TOO_LARGE')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new JaringError('UNSUPPORTED_MEDIA_TYPE')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new JaringError('BAD_REQUEST', { detail: 'The body is not valid JSON.' })
    case 'FST_ERR_HANDLER_TIMEOUT':
      return new JaringError('TIMEOUT')
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return new JaringError('RATE_LIMITED')
  }
  if (fastifyError?.statusCode === 429) return new JaringError('RATE_LIMITED')
  if (fastifyError?.statusCode === 413) return new JaringError('PAYLOAD_TOO_LARGE')
  if (fastifyError?.statusCode === 400 && error instanceof SyntaxError) {
    return new JaringError('BAD_REQUEST', { detail: 'The body is not valid JSON.' })
  }
  return new JaringError('INTERNAL', { cause: error })
}
