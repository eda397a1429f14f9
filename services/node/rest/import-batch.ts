/**
 * One NDJSON import batch, run inside the caller's transaction: every line is read, validated
 * against the create schema of its type and upserted by `externalRef` through the records
 * repositories. A failed line does not stop the batch: the following lines are still checked, so
 * one response reports every fault (the caller then rolls the whole transaction back).
 *
 * Person lines are checked as they are read and written `personLinesPerWrite` at a time (the new
 * ones with one INSERT per table); the batch so far is written before any other line, so a link
 * by external reference always finds the persons of earlier lines.
 */
import type { ValidateFunction } from 'ajv'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../auth/principal.ts'
import type { Scope } from '../auth/scopes.ts'
import { JaringError } from '../errors.ts'
import type { RecordAccess, RecordRepositories } from '../records/index.ts'
import type { PreparedPerson } from '../records/persons.ts'
import type { UpsertOutcome } from '../records/types.ts'
import type { NdjsonLine } from './ndjson.ts'
import {
  ImportCaseRecord,
  ImportEnvelope,
  ImportIntelReportRecord,
  ImportPersonRecord,
  ImportSyndicateRecord,
  type ImportType,
} from './schemas.ts'
import { compileBodyValidator, validationError } from './validation.ts'

type Json = Record<string, unknown>
type SubjectKind = 'CASE' | 'PERSON' | 'SYNDICATE'

/** How many failed lines a rejection lists; the count covers them all. */
export const maxReportedLineErrors = 100
/** A progress line is logged after this many records, or this many milliseconds, whichever first. */
export const progressEveryLines = 1_000
export const progressEveryMs = 5_000
/** Person lines checked and held before they are written together. */
export const personLinesPerWrite = 1_000

export interface LineError {
  line: number
  code: string
  message: string
  path?: string
}

export interface ImportSummary {
  lines: number
  created: number
  updated: number
  unchanged: number
}

export interface ImportResult extends ImportSummary {
  errorCount: number
  errors: LineError[]
}

interface TypeHandling {
  validate: ValidateFunction
  scope: Scope
  /** The kind a reference by external reference names, to resolve links to records of this type. */
  kind: SubjectKind | 'INTEL_REPORT'
  repository(records: RecordRepositories): {
    upsertByExternalRef(
      access: RecordAccess,
      input: never,
    ): Promise<{ record: { id: string }; outcome: UpsertOutcome }>
  }
}

const envelope = compileBodyValidator(ImportEnvelope)

const typeHandling: Record<ImportType, TypeHandling> = {
  person: {
    validate: compileBodyValidator(ImportPersonRecord),
    scope: 'persons:write',
    kind: 'PERSON',
    repository: (records) => records.persons,
  },
  case: {
    validate: compileBodyValidator(ImportCaseRecord),
    scope: 'cases:write',
    kind: 'CASE',
    repository: (records) => records.cases,
  },
  syndicate: {
    validate: compileBodyValidator(ImportSyndicateRecord),
    scope: 'syndicates:write',
    kind: 'SYNDICATE',
    repository: (records) => records.syndicates,
  },
  intelReport: {
    validate: compileBodyValidator(ImportIntelReportRecord),
    scope: 'intel:write',
    kind: 'INTEL_REPORT',
    repository: (records) => records.intelReports,
  },
}

export interface ImportOptions {
  /** The repositories bound to the batch's transaction. */
  records: RecordRepositories
  access: RecordAccess
  principal: Principal
  lines: AsyncIterable<NdjsonLine>
  log: FastifyBaseLogger
  /** The per-line cap, for the message of a line over it. */
  maxLineBytes: number
  /** True once the request was answered otherwise (it timed out): the batch must not commit. */
  abandoned(): boolean
}

/** A coded error moved under `record.` (or another prefix), keeping its code and detail. */
function under(
  prefix: string,
  error: JaringError,
  remap: (path: string) => string = (path) => path,
): JaringError {
  return new JaringError(error.code, {
    path: error.path ? `${prefix}.${remap(error.path)}` : prefix,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.extra ? { extra: error.extra } : {}),
  })
}

/**
 * The batch's view of external references: records written by earlier lines, and lines that failed
 * (so a link to them is reported as such rather than as a plain NOT_FOUND).
 */
class References {
  readonly written = new Map<string, string>()
  readonly failed = new Map<string, number>()
  readonly lineOf = new Map<string, number>()

  static key(kind: string, externalRef: string): string {
    return `${kind}\u0000${externalRef}`
  }

  private readonly records: RecordRepositories
  private readonly access: RecordAccess

  constructor(records: RecordRepositories, access: RecordAccess) {
    this.records = records
    this.access = access
  }

  /** The global id of the record of `kind` with this external reference: from this batch, else stored. */
  async resolve(kind: SubjectKind, externalRef: string, path: string): Promise<string> {
    const key = References.key(kind, externalRef)
    const written = this.written.get(key)
    if (written) return written
    const failedLine = this.failed.get(key)
    if (failedLine !== undefined) {
      throw new JaringError('NOT_FOUND', {
        path,
        detail: `Line ${failedLine} with this externalRef was not imported.`,
      })
    }
    const repository =
      kind === 'CASE'
        ? this.records.cases
        : kind === 'PERSON'
          ? this.records.persons
          : this.records.syndicates
    const page = await repository.list(this.access, { filter: { externalRef }, first: 1 })
    const found = page.nodes[0]
    if (!found) {
      throw new JaringError('NOT_FOUND', {
        path,
        detail: `No ${kind.toLowerCase()} with this externalRef, neither stored nor on an earlier line.`,
      })
    }
    return found.id
  }
}

/** A link given by `personId` or by `personExternalRef`, never both, as the repositories take it. */
async function personLinks(
  references: References,
  links: Json[] | null | undefined,
  listName: string,
): Promise<Json[] | null | undefined> {
  if (!links) return links
  const resolved: Json[] = []
  for (const [index, link] of links.entries()) {
    const path = `${listName}[${index}]`
    const { personId, personExternalRef, role } = link
    if ((personId === undefined) === (personExternalRef === undefined)) {
      throw new JaringError('VALIDATION_FAILED', {
        path,
        detail: `${path}: give exactly one of personId or personExternalRef.`,
      })
    }
    resolved.push({
      personId:
        personId ??
        (await references.resolve('PERSON', personExternalRef as string, `${path}.personExternalRef`)),
      role,
    })
  }
  return resolved
}

/** Ids given directly, then the ones named by external reference (their paths kept apart). */
async function idsWithReferences(
  references: References,
  ids: string[] | null | undefined,
  named: { kind: SubjectKind; externalRef: string }[] | undefined,
  namedPath: string,
): Promise<string[] | null | undefined> {
  if (named === undefined) return ids
  const resolved: string[] = []
  for (const [index, reference] of named.entries()) {
    resolved.push(await references.resolve(reference.kind, reference.externalRef, `${namedPath}[${index}]`))
  }
  return [...(ids ?? []), ...resolved]
}

/** A repository path into a merged id list (`caseIds[5]`) back onto the list the client wrote. */
function splitListPath(path: string, list: string, given: number, named: string): string {
  const match = new RegExp(`^${list}\\[(\\d+)\\]`).exec(path)
  if (!match) return path
  const index = Number(match[1])
  return index < given ? path : `${named}[${index - given}]${path.slice(match[0].length)}`
}

/** The create input the repository takes, with every link by external reference resolved to an id. */
async function resolveLinks(
  type: ImportType,
  record: Json,
  references: References,
): Promise<{ input: Json; remap: (path: string) => string }> {
  const same = { remap: (path: string) => path }
  switch (type) {
    case 'person':
      return { input: record, ...same }
    case 'case':
      return {
        input: { ...record, persons: await personLinks(references, record.persons as Json[], 'persons') },
        ...same,
      }
    case 'syndicate': {
      const { caseExternalRefs, ...rest } = record as Json & { caseExternalRefs?: string[] }
      const caseIds = rest.caseIds as string[] | null | undefined
      const named = caseExternalRefs?.map((externalRef) => ({ kind: 'CASE' as const, externalRef }))
      return {
        input: {
          ...rest,
          members: await personLinks(references, rest.members as Json[], 'members'),
          caseIds: await idsWithReferences(references, caseIds, named, 'caseExternalRefs'),
        },
        remap: (path) => splitListPath(path, 'caseIds', caseIds?.length ?? 0, 'caseExternalRefs'),
      }
    }
    case 'intelReport': {
      const { subjectExternalRefs, ...rest } = record as Json & {
        subjectExternalRefs?: { kind: SubjectKind; externalRef: string }[]
      }
      const subjectIds = rest.subjectIds as string[] | null | undefined
      return {
        input: {
          ...rest,
          subjectIds: await idsWithReferences(
            references,
            subjectIds,
            subjectExternalRefs,
            'subjectExternalRefs',
          ),
        },
        remap: (path) => splitListPath(path, 'subjectIds', subjectIds?.length ?? 0, 'subjectExternalRefs'),
      }
    }
  }
}

/** Reads the line's JSON and checks its envelope; returns the type and the (unchecked) record. */
function parseLine(item: NdjsonLine, maxLineBytes: number): { type: ImportType; record: Json } {
  if ('fault' in item) {
    if (item.fault === 'TOO_LARGE') {
      throw new JaringError('PAYLOAD_TOO_LARGE', {
        detail: `The line has ${item.bytes} bytes; a line may have at most ${maxLineBytes}.`,
      })
    }
    throw new JaringError('BAD_REQUEST', { detail: 'The line is not UTF-8 text.' })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(item.text)
  } catch {
    throw new JaringError('BAD_REQUEST', { detail: 'The line is not valid JSON.' })
  }
  if (!envelope(parsed)) throw validationError(envelope.errors ?? [], '', 'the line')
  return parsed as { type: ImportType; record: Json }
}

export async function runImport(options: ImportOptions): Promise<ImportResult> {
  const { records, access, principal, log } = options
  const references = new References(records, access)
  const result: ImportResult = { lines: 0, created: 0, updated: 0, unchanged: 0, errorCount: 0, errors: [] }
  let loggedAt = Date.now()
  let loggedLines = 0
  const logProgress = () => {
    loggedAt = Date.now()
    loggedLines = result.lines
    const { lines, created, updated, unchanged, errorCount } = result
    log.info({ lines, created, updated, unchanged, failed: errorCount }, 'import progress')
  }

  const fail = (line: number, error: unknown) => {
    if (!(error instanceof JaringError)) throw error
    result.errorCount += 1
    // A held person line fails when it is written, after later lines may have: the list stays in
    // line order, the first `maxReportedLineErrors` lines kept.
    let at = result.errors.length
    while (at > 0 && (result.errors[at - 1] as LineError).line > line) at -= 1
    if (at >= maxReportedLineErrors) return
    result.errors.splice(at, 0, {
      line,
      code: error.code,
      message: error.message,
      ...(error.path ? { path: error.path } : {}),
    })
    if (result.errors.length > maxReportedLineErrors) result.errors.pop()
  }

  const held: Array<{ line: number; key: string | undefined; person: PreparedPerson }> = []
  const writeHeld = async () => {
    if (held.length === 0) return
    const batch = held.splice(0)
    const outcomes = await records.persons.upsertPrepared(
      access,
      batch.map((item) => item.person),
    )
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index]
      if (outcome === undefined || outcome instanceof JaringError) {
        if (item.key !== undefined) references.failed.set(item.key, item.line)
        fail(item.line, outcome === undefined ? new Error('no outcome') : under('record', outcome))
        continue
      }
      if (item.key !== undefined) references.written.set(item.key, outcome.id)
      result[outcome.outcome] += 1
    }
  }

  for await (const item of options.lines) {
    if (options.abandoned()) throw new JaringError('TIMEOUT', { detail: 'The import ran out of time.' })
    result.lines += 1
    let key: string | undefined
    try {
      const { type, record } = parseLine(item, options.maxLineBytes)
      if (type !== 'person') await writeHeld()
      const handling = typeHandling[type]
      if (!principal.scopes.has(handling.scope)) {
        throw new JaringError('FORBIDDEN', {
          path: 'type',
          detail: `Importing a ${type} needs the scope ${handling.scope}.`,
        })
      }
      // Known before the record is checked, so a later line linking to a refused one is told so.
      if (typeof record.externalRef === 'string') {
        const candidate = References.key(handling.kind, record.externalRef)
        const earlier = references.lineOf.get(candidate)
        if (earlier !== undefined) {
          throw new JaringError('DUPLICATE_EXTERNAL_REF', {
            path: 'record.externalRef',
            detail: `Line ${earlier} of this batch has the same ${type} externalRef.`,
          })
        }
        key = candidate
        references.lineOf.set(key, item.line)
      }
      if (!handling.validate(record))
        throw validationError(handling.validate.errors ?? [], 'record', 'record')
      let remap = (path: string) => path
      try {
        if (type === 'person') {
          held.push({ line: item.line, key, person: records.persons.prepare(access, record as never) })
          if (held.length >= personLinesPerWrite) await writeHeld()
        } else {
          const resolved = await resolveLinks(type, record, references)
          remap = resolved.remap
          const { record: written, outcome } = await handling
            .repository(records)
            .upsertByExternalRef(access, resolved.input as never)
          if (key !== undefined) references.written.set(key, written.id)
          result[outcome] += 1
        }
      } catch (error) {
        throw error instanceof JaringError ? under('record', error, remap) : error
      }
    } catch (error) {
      if (key !== undefined) references.failed.set(key, item.line)
      fail(item.line, error)
    }
    if (result.lines - loggedLines >= progressEveryLines || Date.now() - loggedAt >= progressEveryMs)
      logProgress()
  }
  await writeHeld()
  // The last progress line states the whole batch, whichever threshold fired before it.
  if (result.lines !== loggedLines) logProgress()
  if (options.abandoned()) throw new JaringError('TIMEOUT', { detail: 'The import ran out of time.' })
  return result
}
