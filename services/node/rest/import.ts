/**
 * `POST /api/v1/import`: NDJSON bulk loading from an agency's record systems. The body is never
 * buffered whole: a pass-through content-type parser hands the request stream to the handler,
 * which reads it line by line (each line capped) while the batch runs in one database transaction.
 * All or nothing: one failed line rolls everything back and the answer lists the failed lines.
 */
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { auditTrailOf } from '../audit/trail.ts'
import { JaringError } from '../errors.ts'
import { requestRecords } from '../records/index.ts'
import { type ImportResult, runImport } from './import-batch.ts'
import { readNdjsonLines } from './ndjson.ts'
import { errorResponses, operationDocs } from './openapi.ts'
import { ImportFailureSchema, ImportLine, ImportSummarySchema } from './schemas.ts'
import { restValidatorCompiler } from './validation.ts'

export const ndjsonMediaType = 'application/x-ndjson'
const importScope = 'records:import'

class BatchRejected extends Error {
  readonly result: ImportResult
  constructor(result: ImportResult) {
    super('import batch rejected')
    this.result = result
  }
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** The body as bytes, gunzipped when sent with `content-encoding: gzip` (the caps count unzipped bytes). */
function bodyStream(request: FastifyRequest): Readable {
  const body = request.body as Readable
  return request.headers['content-encoding'] === 'gzip' ? body.pipe(createGunzip()) : body
}

const description = `Loads records in bulk: one JSON object per line, \`{"type": "case" | "person" | "syndicate" | "intelReport", "record": {...}}\`, the record as for a create. Each record is upserted by its \`externalRef\`: created when new, brought to the line's content when it differs, left alone when it matches, so sending the same batch again changes nothing.

A link may name a record by its external reference instead of its id (\`personExternalRef\` in a case's \`persons\` and a syndicate's \`members\`, \`caseExternalRefs\` for a syndicate, \`subjectExternalRefs\` for a report): a record stored before, or one on an earlier line of the same batch. Put persons first, then cases, syndicates and reports.

All or nothing: the batch runs in one transaction; when any line fails, nothing is written and the answer is 422 IMPORT_FAILED with the failed lines (number, code, message, path). The body is streamed (it may be gzip-compressed) and each line is capped at the JSON body limit. See docs/rest.md.`

export async function importRoutes(api: FastifyInstance): Promise<void> {
  const {
    bodyLimitBytes: maxLineBytes,
    importBodyLimitBytes: maxTotalBytes,
    importTimeoutMs,
  } = api.config.http

  api.addContentTypeParser(ndjsonMediaType, (_request, payload, done) => done(null, payload))

  api.route({
    method: 'POST',
    url: '/import',
    config: { scope: importScope },
    bodyLimit: maxTotalBytes,
    // A batch takes longer than a single request. The handler keeps its own deadline (it answers
    // TIMEOUT and rolls back); Fastify's, a little later, is only a backstop.
    handlerTimeout: importTimeoutMs + 30_000,
    // The body is read by the handler as it streams in; the route's schema documents one line.
    validatorCompiler: (route) => (route.httpPart === 'body' ? () => true : restValidatorCompiler(route)),
    schema: {
      ...operationDocs({
        operationId: 'importRecords',
        tag: 'import',
        scope: importScope,
        summary: 'Import records (NDJSON)',
        description,
      }),
      body: {
        content: {
          [ndjsonMediaType]: {
            schema: { ...ImportLine, description: 'Each line of the body is one such object (NDJSON).' },
          },
        },
      },
      response: { 200: ImportSummarySchema, 422: ImportFailureSchema, ...errorResponses },
    },
    // Refused before a byte of the body is read: not NDJSON, or declared too large (the token and
    // its scope were checked just before, by the API's own onRequest hook).
    onRequest: async (request) => {
      if (mediaType(request) !== ndjsonMediaType) {
        throw new JaringError('UNSUPPORTED_MEDIA_TYPE', { detail: `Send the records as ${ndjsonMediaType}.` })
      }
      const encoding = request.headers['content-encoding']
      if (encoding !== undefined && encoding !== 'gzip' && encoding !== 'identity') {
        throw new JaringError('UNSUPPORTED_MEDIA_TYPE', {
          detail: 'The body may be sent plain or gzip-compressed.',
        })
      }
      if (Number(request.headers['content-length'] ?? 0) > maxTotalBytes) {
        throw new JaringError('PAYLOAD_TOO_LARGE', {
          detail: `An import body may have at most ${maxTotalBytes} bytes.`,
        })
      }
    },
    handler: async (request, reply) => {
      const log = request.log
      const startedAt = Date.now()
      log.info('import started')
      // Checked by the clock on every line (an embedded database may not yield to timers meanwhile).
      const deadline = startedAt + importTimeoutMs
      let result: ImportResult
      try {
        result = await requestRecords(request).transaction(async (records) => {
          const run = await runImport({
            records,
            access: records.access(request.principal, auditTrailOf(request).recordIds),
            principal: request.principal,
            // A refused batch stops reading without destroying the request: destroying it would
            // read as the client aborting, and the refusal would never be answered.
            lines: readNdjsonLines(bodyStream(request).iterator({ destroyOnReturn: false }), {
              maxLineBytes,
              maxTotalBytes,
            }),
            log,
            maxLineBytes,
            abandoned: () => Date.now() > deadline || reply.sent,
          })
          // Throwing rolls the transaction back: a rejected batch leaves no trace.
          if (run.errorCount > 0 || run.lines === 0) throw new BatchRejected(run)
          return run
        })
      } catch (error) {
        if (error instanceof JaringError && error.code === 'PAYLOAD_TOO_LARGE')
          reply.header('connection', 'close')
        if (error instanceof JaringError && error.code === 'TIMEOUT')
          log.warn({ ms: Date.now() - startedAt }, 'import timed out')
        if (!(error instanceof BatchRejected)) throw error
        const { lines, errorCount, errors } = error.result
        log.info({ lines, failed: errorCount, ms: Date.now() - startedAt }, 'import rejected')
        if (lines === 0) throw new JaringError('BAD_REQUEST', { detail: 'The body holds no records.' })
        throw new JaringError('IMPORT_FAILED', {
          detail: `${errorCount} of ${lines} lines failed.`,
          extra: { lines, errorCount, errors },
        })
      }
      const { lines, created, updated, unchanged } = result
      log.info({ lines, created, updated, unchanged, ms: Date.now() - startedAt }, 'import committed')
      return { lines, created, updated, unchanged }
    },
  })
}
