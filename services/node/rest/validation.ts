/**
 * Input validation for the REST routes. Bodies are validated strictly: no type coercion (a number
 * is not a title), no stripping of unknown properties (they are refused). Query strings and path parameters arrive as text, so they
 * are coerced (`first=20` is a number, a single `statuses=OPEN` is a list of one). Every failure
 * names the field at fault in `path`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import { JaringError } from '../errors.ts'

// ajv-formats is CommonJS: Node hands over module.exports, whose `default` is the plugin itself.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default

function newAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    removeAdditional: false,
    // The SDL defaults in the schemas document what the repositories fill in for a field left out.
    useDefaults: false,
    coerceTypes: coerce ? 'array' : false,
    strict: true,
  })
  addFormats(ajv, ['date', 'date-time'])
  return ajv
}

const bodyAjv = newAjv(false)
const textAjv = newAjv(true)

/** Compiles a body schema outside Fastify (the NDJSON import validates each line with it). */
export function compileBodyValidator(schema: object): ValidateFunction {
  return bodyAjv.compile(schema)
}

export const restValidatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)

/** `/persons/0/role` -> `persons[0].role`, with a leading prefix such as `record`. */
export function dottedPath(instancePath: string, prefix = ''): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
  let dotted = prefix
  for (const part of parts) dotted += /^\d+$/.test(part) ? `[${part}]` : dotted ? `.${part}` : part
  return dotted
}

/** The field an Ajv error is about: for unknown and missing properties, the property itself. */
export function errorPath(error: ErrorObject, prefix = ''): string {
  const base = dottedPath(error.instancePath, prefix)
  const named =
    error.keyword === 'additionalProperties'
      ? error.params.additionalProperty
      : error.keyword === 'required'
        ? error.params.missingProperty
        : undefined
  if (typeof named !== 'string') return base
  return base ? `${base}.${named}` : named
}

function errorSentence(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not a known field'
    case 'required':
      return 'is required'
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
    default:
      return error.message ?? 'is not valid'
  }
}

/** One coded error for the first Ajv failure, naming the field (`path`) and what is wrong with it. */
export function validationError(
  errors: readonly ErrorObject[],
  prefix = '',
  whole = 'the input',
): JaringError {
  const first = errors[0]
  if (!first) return new JaringError('VALIDATION_FAILED')
  const path = errorPath(first, prefix)
  return new JaringError('VALIDATION_FAILED', {
    detail: `${path || whole}: ${errorSentence(first)}.`,
    ...(path ? { path } : {}),
  })
}

/**
 * Fastify's hook for schema failures. Query parameters, path parameters and body fields have
 * distinct names, so `path` is the bare name (`first`, `id`, `persons[0].role`).
 */
export function restSchemaErrorFormatter(errors: readonly ErrorObject[], dataVar: string): Error {
  return validationError(errors, '', `the ${dataVar}`)
}
