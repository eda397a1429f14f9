/**
 * The one GraphQL error formatter. Every error leaves with `extensions.code` from the catalogue and
 * `extensions.requestId`; nothing internal leaves at all (the original is logged with the request
 * id instead), and graphql's "Did you mean ..." hints, which would let a caller map a schema it may
 * not introspect, are cut from every message.
 *
 * HTTP status, whatever mercurius would have chosen:
 * - a response with data (complete or partial) is 200, its errors describe the missing parts;
 * - a request refused before execution (transport, CSRF, batching, body size, authentication, a
 *   parse or validation error, a limit, introspection) has the catalogue status of its error, 400
 *   for any parse or validation failure however many errors there are;
 * - an execution without data has the status of its most severe error: the first server-side
 *   (5xx: database, audit, timeout, internal) if any, else the first (401, 403, 404, 409 ...).
 */
import type { ExecutionResult, GraphQLError } from 'graphql'
import type { MercuriusContext } from 'mercurius'
import { auditTrailOf } from '../audit/trail.ts'
import { authenticationChallenge } from '../auth/challenge.ts'
import { type ErrorCode, errorCatalogue, isJaringError, JaringError, toJaringError } from '../errors.ts'

/** graphql's suggestions (`Did you mean "name"?`, `Did you mean the enum value "RED"?`). */
const suggestion = /\s*Did you mean [^?]*\?/g

function withoutSuggestions(message: string): string {
  return message.replace(suggestion, '')
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value)
}

interface CodedError {
  code: ErrorCode
  message: string
  locations?: GraphQLError['locations']
  path?: GraphQLError['path']
  extensions: Record<string, unknown>
  /** What to log when the client sees only INTERNAL. */
  internal?: unknown
}

function fromJaringError(error: JaringError, source?: GraphQLError): CodedError {
  const { message: _message, ...extensions } = error.toJSON()
  return {
    code: error.code,
    message: error.message,
    locations: source?.locations,
    path: source?.path,
    extensions,
  }
}

function internal(original: unknown, source?: GraphQLError): CodedError {
  return {
    code: 'INTERNAL',
    message: errorCatalogue.INTERNAL.message,
    locations: source?.locations,
    path: source?.path,
    extensions: { code: 'INTERNAL' },
    internal: original,
  }
}

/** One error of the document or its variables, as graphql or a limit rule reported it. */
function documentError(error: GraphQLError): CodedError {
  if (isJaringError(error.originalError)) {
    return { ...fromJaringError(error.originalError, error), message: withoutSuggestions(error.message) }
  }
  const ruleCode = error.extensions?.code
  let code: ErrorCode = 'GRAPHQL_VALIDATION_FAILED'
  if (isErrorCode(ruleCode)) code = ruleCode
  else if (error.message.startsWith('Syntax Error: Document contains more th')) code = 'TOO_MANY_TOKENS'
  else if (error.message.startsWith('Syntax Error:')) code = 'GRAPHQL_PARSE_FAILED'
  return {
    code,
    message: withoutSuggestions(error.message),
    locations: error.locations,
    extensions: { ...error.extensions, code },
  }
}

/** A GraphQLError raised with one of our codes (a resolver's, or a limit rule's). */
function declaresCode(error: unknown): boolean {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code
  return isErrorCode(code) && code !== 'INTERNAL' && typeof (error as Error).message === 'string'
}

interface MercuriusFailure {
  code?: string
  errors?: unknown[]
  validation?: unknown
}

/** The errors one reported error stands for (mercurius wraps a whole failed validation in one). */
function classify(error: GraphQLError, requestBody: unknown): CodedError[] {
  const original = error.originalError as (Error & MercuriusFailure) | undefined
  if (isJaringError(original)) return [fromJaringError(original, error)]
  if (original?.code === 'MER_ERR_GQL_VALIDATION' && Array.isArray(original.errors)) {
    return original.errors.map((inner) => {
      if ((inner as MercuriusFailure).validation) {
        return Array.isArray(requestBody)
          ? fromJaringError(new JaringError('BATCHING_DISABLED'))
          : fromJaringError(
              new JaringError('BAD_REQUEST', { detail: 'The body must hold a `query` string.' }),
            )
      }
      return documentError(inner as GraphQLError)
    })
  }
  switch (original?.code) {
    case 'MER_ERR_GQL_CSRF_PREVENTION':
      return [fromJaringError(new JaringError('CSRF_REJECTED'))]
    case 'MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND':
      return [fromJaringError(new JaringError('BAD_REQUEST', { detail: 'The body holds no query.' }))]
    case 'MER_ERR_GQL_VALIDATION':
      return [
        fromJaringError(new JaringError('BAD_REQUEST', { detail: 'The variables are not valid JSON.' })),
      ]
  }
  if (declaresCode(original)) {
    return [{ ...documentError(original as GraphQLError), locations: error.locations, path: error.path }]
  }
  if (original) {
    const coded = toJaringError(original)
    if (coded.code !== 'INTERNAL') return [fromJaringError(coded, error)]
    const status = (original as { statusCode?: unknown }).statusCode
    // A client error Fastify or a plugin raised that the catalogue does not name.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return [fromJaringError(new JaringError('BAD_REQUEST'), error)]
    }
    return [internal(original, error)]
  }
  if (declaresCode(error)) return [documentError(error)]
  // Without a path the error concerns the request (an unknown operation name, no operation at
  // all); with one, a field broke while executing (a null in a non-null field): our fault.
  return error.path ? [internal(error, error)] : [documentError(error)]
}

function statusOf(errors: readonly CodedError[], hasData: boolean): number {
  if (hasData) return 200
  const statuses = errors.map((error) => errorCatalogue[error.code].status)
  return statuses.find((status) => status >= 500) ?? statuses[0] ?? 500
}

type FormattableExecution = ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>

/** mercurius `errorFormatter`: coded errors, a consistent status, no internals. */
export function formatGraphqlErrors(
  execution: FormattableExecution,
  context: MercuriusContext,
): { statusCode: number; response: ExecutionResult } {
  const reply = context.reply as MercuriusContext['reply'] | undefined
  const log = reply?.log ?? context.app.log
  const requestId = reply?.request.id
  const coded = execution.errors.flatMap((error) => classify(error, reply?.request.body))
  if (reply && coded[0]) auditTrailOf(reply.request).noteError(coded[0].code)
  for (const error of coded) {
    context.app.metrics.countError(error.code)
    if (error.internal !== undefined) log.error({ err: error.internal, requestId }, 'GraphQL internal error')
  }
  const hasData = execution.data !== undefined && execution.data !== null
  const statusCode = statusOf(coded, hasData)
  const challenge = coded[0] ? authenticationChallenge(coded[0].code, statusCode) : undefined
  if (challenge && reply && !hasData) reply.header('www-authenticate', challenge)
  const errors = coded.map(
    (error) =>
      ({
        message: error.message,
        ...(error.locations ? { locations: error.locations } : {}),
        ...(error.path ? { path: error.path } : {}),
        extensions: { ...error.extensions, code: error.code, ...(requestId ? { requestId } : {}) },
      }) as unknown as GraphQLError,
  )
  return {
    statusCode,
    response: execution.data === undefined ? { errors } : { data: execution.data, errors },
  }
}
