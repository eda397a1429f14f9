/**
 * Intelligence reports and their subjects (cases, persons, syndicates): list, get, batch loads,
 * create, update and the import's upsert. All SQL for reports and subjects lives here.
 */
import { and, desc, eq, exists, gte, inArray, isNotNull, lte, or, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../../db/open.ts'
import { cases, intelReports, intelSubjects, persons, syndicates } from '../../../db/schema/records.ts'
import {
  crimeCategories,
  type IntelSubjectKind,
  informationGradings,
  intelSubjectKinds,
  type RecordType,
  sourceGradings,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import {
  caseVisibility,
  intelReportVisibility,
  personVisibility,
  type RecordAccess,
  syndicateVisibility,
} from './access.ts'
import { casesByIds } from './cases.ts'
import { decodeCursor, type Page, pageSize, toPage } from './cursor.ts'
import { filterList } from './filters.ts'
import { ownRecordUuid, parseGlobalId } from './global-id.ts'
import { personsByIds } from './persons.ts'
import {
  groupBy,
  type IntelReportRow,
  intelReportColumns,
  toIntelReportRecord,
  typesOfRecords,
} from './rows.ts'
import { syndicatesByIds } from './syndicates.ts'
import type {
  CreateIntelReportInput,
  IntelReportFilter,
  IntelReportRecord,
  IntelSubject,
  ListArguments,
  UpdateIntelReportInput,
  UpsertResult,
} from './types.ts'
import {
  boundedList,
  boundedText,
  isoDate,
  maxFreeTextLength,
  monthOf,
  oneOf,
  optionalDate,
} from './values.ts'
import {
  changedFields,
  duplicateExternalRef,
  expectedVersion,
  handlingCode,
  newRecordColumns,
  notFound,
  sameState,
  sortedKeys,
  versionConflict,
  writableTlp,
} from './write.ts'

const resource = 'intel'
export const maxReportTitleLength = 500
export const maxSubjects = 200

const subjectColumn = {
  CASE: intelSubjects.caseId,
  PERSON: intelSubjects.personId,
  SYNDICATE: intelSubjects.syndicateId,
} as const

// Reading

/** About the given record, when the reader may see that record too. */
function aboutRecord(db: Database, access: RecordAccess, uuid: string): SQL {
  const visible = (table: typeof cases | typeof persons | typeof syndicates, visibility: SQL) =>
    exists(
      db
        .select({ one: sql`1` })
        .from(table)
        .where(and(eq(table.id, uuid), visibility)),
    )
  return exists(
    db
      .select({ one: sql`1` })
      .from(intelSubjects)
      .where(
        and(
          eq(intelSubjects.reportId, intelReports.id),
          or(
            and(eq(intelSubjects.caseId, uuid), visible(cases, caseVisibility(access))),
            and(eq(intelSubjects.personId, uuid), visible(persons, personVisibility(access))),
            and(eq(intelSubjects.syndicateId, uuid), visible(syndicates, syndicateVisibility(access))),
          ),
        ),
      ),
  )
}

function reportConditions(
  db: Database,
  access: RecordAccess,
  filter: IntelReportFilter | null | undefined,
): SQL[] {
  const conditions = [intelReportVisibility(access)]
  if (!filter) return conditions
  if (filter.externalRef != null) {
    conditions.push(eq(intelReports.externalRef, boundedText(filter.externalRef, 'filter.externalRef', 200)))
  }
  const categories = filterList(filter.crimeCategories, 'filter.crimeCategories', (v, p) =>
    oneOf(crimeCategories, v, p),
  )
  if (categories) conditions.push(inArray(intelReports.crimeCategory, categories))
  const reportedFrom = optionalDate(filter.reportedFrom, 'filter.reportedFrom')
  if (reportedFrom) conditions.push(gte(intelReports.reportedOn, reportedFrom))
  const reportedTo = optionalDate(filter.reportedTo, 'filter.reportedTo')
  if (reportedTo) conditions.push(lte(intelReports.reportedOn, reportedTo))
  const sources = filterList(filter.sourceGradings, 'filter.sourceGradings', (v, p) =>
    oneOf(sourceGradings, v, p),
  )
  if (sources) conditions.push(inArray(intelReports.sourceGrading, sources))
  const information = filterList(filter.informationGradings, 'filter.informationGradings', (v, p) =>
    oneOf(informationGradings, v, p),
  )
  if (information) conditions.push(inArray(intelReports.informationGrading, information))
  if (filter.subjectId != null) {
    const subject = parseGlobalId(filter.subjectId, 'filter.subjectId')
    // Only the owner holds reports about its records: another agency's id matches nothing here.
    conditions.push(subject.agency === access.agency ? aboutRecord(db, access, subject.uuid) : sql`false`)
  }
  const kinds = filterList(filter.subjectKinds, 'filter.subjectKinds', (v, p) =>
    oneOf(intelSubjectKinds, v, p),
  )
  if (kinds) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(intelSubjects)
          .where(
            and(
              eq(intelSubjects.reportId, intelReports.id),
              or(...kinds.map((kind: IntelSubjectKind) => isNotNull(subjectColumn[kind]))),
            ),
          ),
      ),
    )
  }
  const tlp = filterList(filter.tlp, 'filter.tlp', (v, p) => oneOf(tlpLevels, v, p))
  if (tlp) conditions.push(inArray(intelReports.tlp, tlp))
  return conditions
}

/** Reports the reader may see, most recently reported first. */
export async function listIntelReports(
  db: Database,
  access: RecordAccess,
  args: ListArguments<IntelReportFilter>,
  maxPageSize = 100,
): Promise<Page<IntelReportRecord>> {
  const size = pageSize(args.first, maxPageSize)
  const conditions = reportConditions(db, access, args.filter)
  if (args.after != null) {
    const after = decodeCursor(resource, 'date', args.after)
    conditions.push(
      sql`(${intelReports.reportedOn}, ${intelReports.id}) < (${after.sortValue}::date, ${after.uuid}::uuid)`,
    )
  }
  const rows = await db
    .select()
    .from(intelReports)
    .where(and(...conditions))
    .orderBy(desc(intelReports.reportedOn), desc(intelReports.id))
    .limit(size + 1)
  return toPage(
    rows,
    size,
    resource,
    (row) => ({ sortValue: row.reportedOn, uuid: row.id }),
    toIntelReportRecord,
  )
}

/** One report by global id; null when it is another agency's, absent or not visible. */
export async function getIntelReport(
  db: Database,
  access: RecordAccess,
  id: string,
): Promise<IntelReportRecord | null> {
  const { agency, uuid } = parseGlobalId(id, 'id')
  if (agency !== access.agency) return null
  return (await intelReportsByIds(db, access, [uuid])).get(uuid) ?? null
}

export async function intelReportsByIds(
  db: Database,
  access: RecordAccess,
  uuids: readonly string[],
): Promise<Map<string, IntelReportRecord>> {
  if (uuids.length === 0) return new Map()
  const rows = await db
    .select()
    .from(intelReports)
    .where(and(inArray(intelReports.id, [...new Set(uuids)]), intelReportVisibility(access)))
  return new Map(rows.map((row) => [row.id, toIntelReportRecord(row)]))
}

/** The visible reports about each of the given cases, persons or syndicates, by their UUID. */
export async function intelReportsAbout(
  db: Database,
  access: RecordAccess,
  kind: IntelSubjectKind,
  uuids: readonly string[],
): Promise<Map<string, IntelReportRecord[]>> {
  if (uuids.length === 0) return new Map()
  const column = subjectColumn[kind]
  const rows = await db
    .select({ subjectId: column, report: intelReportColumns })
    .from(intelSubjects)
    .innerJoin(intelReports, eq(intelReports.id, intelSubjects.reportId))
    .where(and(inArray(column, [...new Set(uuids)]), intelReportVisibility(access)))
    .orderBy(column, desc(intelReports.reportedOn), intelReports.id)
  return groupBy(
    rows,
    (row) => row.subjectId as string,
    (row) => toIntelReportRecord(row.report),
  )
}

/**
 * The visible subjects of each report, by report UUID: one statement for the links and at most one
 * per subject type, whatever the number of reports.
 */
export async function subjectsOfReports(
  db: Database,
  access: RecordAccess,
  reportUuids: readonly string[],
): Promise<Map<string, IntelSubject[]>> {
  if (reportUuids.length === 0) return new Map()
  const links = await db
    .select({
      reportId: intelSubjects.reportId,
      caseId: intelSubjects.caseId,
      personId: intelSubjects.personId,
      syndicateId: intelSubjects.syndicateId,
    })
    .from(intelSubjects)
    .where(inArray(intelSubjects.reportId, [...new Set(reportUuids)]))
    .orderBy(intelSubjects.reportId, intelSubjects.id)
  const ids = (pick: (link: (typeof links)[number]) => string | null) =>
    links.map(pick).filter((id): id is string => id !== null)
  const [caseMap, personMap, syndicateMap] = await Promise.all([
    casesByIds(
      db,
      access,
      ids((link) => link.caseId),
    ),
    personsByIds(
      db,
      access,
      ids((link) => link.personId),
    ),
    syndicatesByIds(
      db,
      access,
      ids((link) => link.syndicateId),
    ),
  ])
  const subjects = new Map<string, IntelSubject[]>()
  for (const link of links) {
    const subject =
      (link.caseId && caseMap.get(link.caseId)) ||
      (link.personId && personMap.get(link.personId)) ||
      (link.syndicateId && syndicateMap.get(link.syndicateId))
    if (!subject) continue
    const list = subjects.get(link.reportId)
    if (list) list.push(subject)
    else subjects.set(link.reportId, [subject])
  }
  return subjects
}

// Writing

type ReportValues = Omit<
  typeof intelReports.$inferInsert,
  'id' | 'agency' | 'globalId' | 'createdAt' | 'updatedAt' | 'version'
>

interface SubjectLink {
  type: Exclude<RecordType, 'INTEL_REPORT'>
  uuid: string
}

function title(value: unknown, path: string): string {
  return boundedText(value, path, maxReportTitleLength)
}

function body(value: unknown, path: string): string {
  return boundedText(value, path, maxFreeTextLength, { multiline: true })
}

function newReportValues(access: RecordAccess, input: CreateIntelReportInput): ReportValues {
  const reportedOn = isoDate(input.reportedOn, 'reportedOn')
  return {
    ...newRecordColumns(access, input),
    title: title(input.title, 'title'),
    body: body(input.body, 'body'),
    sourceGrading: oneOf(sourceGradings, input.sourceGrading, 'sourceGrading'),
    informationGrading: oneOf(informationGradings, input.informationGrading, 'informationGrading'),
    crimeCategory: oneOf(crimeCategories, input.crimeCategory, 'crimeCategory'),
    reportedOn,
    reportedMonth: monthOf(reportedOn),
  }
}

function reportChanges(access: RecordAccess, input: UpdateIntelReportInput): Partial<ReportValues> {
  const changes = changedFields<ReportValues>(input as unknown as Record<string, unknown>, {
    tlp: { check: (value, path) => writableTlp(access, value, path) },
    handlingCode: { check: handlingCode },
    title: { check: title },
    body: { check: body },
    sourceGrading: { check: (value, path) => oneOf(sourceGradings, value, path) },
    informationGrading: { check: (value, path) => oneOf(informationGradings, value, path) },
    crimeCategory: { check: (value, path) => oneOf(crimeCategories, value, path) },
    reportedOn: { check: isoDate },
  })
  if (changes.reportedOn) changes.reportedMonth = monthOf(changes.reportedOn)
  return changes
}

/** Each subject id must name a case, person or syndicate of this agency that the writer may see. */
async function resolveSubjects(
  db: Database,
  access: RecordAccess,
  list: string[] | null | undefined,
): Promise<SubjectLink[]> {
  const ids = boundedList<string>(list ?? [], 'subjectIds', maxSubjects)
  const uuids = ids.map((id, index) => ownRecordUuid(access, id, `subjectIds[${index}]`))
  const types = await typesOfRecords(db, access, uuids, ['CASE', 'PERSON', 'SYNDICATE'])
  const missing = uuids.findIndex((uuid) => !types.has(uuid))
  if (missing >= 0) throw notFound(`subjectIds[${missing}]`)
  return [...new Set(uuids)].map((uuid) => ({ uuid, type: types.get(uuid) as SubjectLink['type'] }))
}

const subjectKey = (subject: SubjectLink) => subject.uuid

async function currentSubjects(db: Database, reportUuid: string): Promise<SubjectLink[]> {
  const rows = await db
    .select({
      caseId: intelSubjects.caseId,
      personId: intelSubjects.personId,
      syndicateId: intelSubjects.syndicateId,
    })
    .from(intelSubjects)
    .where(eq(intelSubjects.reportId, reportUuid))
  return rows.map((row) =>
    row.caseId
      ? { type: 'CASE', uuid: row.caseId }
      : row.personId
        ? { type: 'PERSON', uuid: row.personId }
        : { type: 'SYNDICATE', uuid: row.syndicateId as string },
  )
}

async function replaceSubjects(db: Database, reportUuid: string, subjects: SubjectLink[]): Promise<void> {
  await db.delete(intelSubjects).where(eq(intelSubjects.reportId, reportUuid))
  if (subjects.length > 0) {
    await db.insert(intelSubjects).values(
      subjects.map((subject) => ({
        reportId: reportUuid,
        caseId: subject.type === 'CASE' ? subject.uuid : null,
        personId: subject.type === 'PERSON' ? subject.uuid : null,
        syndicateId: subject.type === 'SYNDICATE' ? subject.uuid : null,
      })),
    )
  }
}

function reportState(values: ReportValues | IntelReportRow) {
  return {
    tlp: values.tlp,
    handlingCode: values.handlingCode,
    title: values.title,
    body: values.body,
    sourceGrading: values.sourceGrading,
    informationGrading: values.informationGrading,
    crimeCategory: values.crimeCategory,
    reportedOn: values.reportedOn,
  }
}

async function sameSubjects(db: Database, reportUuid: string, subjects: SubjectLink[]): Promise<boolean> {
  return sameState(
    sortedKeys(await currentSubjects(db, reportUuid), subjectKey),
    sortedKeys(subjects, subjectKey),
  )
}

async function reportByExternalRef(
  db: Database,
  access: RecordAccess,
  ref: string,
): Promise<IntelReportRow | undefined> {
  const [row] = await db
    .select()
    .from(intelReports)
    .where(and(eq(intelReports.agency, access.agency), eq(intelReports.externalRef, ref)))
    .for('update')
  return row
}

function insertReport(db: Database, access: RecordAccess, values: ReportValues) {
  return db
    .insert(intelReports)
    .values({ ...values, agency: access.agency })
    .onConflictDoNothing({ target: [intelReports.agency, intelReports.externalRef] })
    .returning()
}

/**
 * Creates a report with its subjects. Idempotent on `externalRef`: the same input again returns the
 * existing report; a different one is DUPLICATE_EXTERNAL_REF.
 */
export async function createIntelReport(
  db: Database,
  access: RecordAccess,
  input: CreateIntelReportInput,
): Promise<IntelReportRecord> {
  const values = newReportValues(access, input)
  return db.transaction(async (tx) => {
    const subjects = await resolveSubjects(tx, access, input.subjectIds)
    const [row] = await insertReport(tx, access, values)
    if (row) {
      await replaceSubjects(tx, row.id, subjects)
      return toIntelReportRecord(row)
    }
    const existing = await reportByExternalRef(tx, access, values.externalRef)
    if (
      existing &&
      sameState(reportState(existing), reportState(values)) &&
      (await sameSubjects(tx, existing.id, subjects))
    ) {
      return toIntelReportRecord(existing)
    }
    throw duplicateExternalRef()
  })
}

/** Changes a report at the quoted version; subjects, when given, are replaced. */
export async function updateIntelReport(
  db: Database,
  access: RecordAccess,
  input: UpdateIntelReportInput,
): Promise<IntelReportRecord> {
  const uuid = ownRecordUuid(access, input.id, 'id')
  const version = expectedVersion(input.version)
  const changes = reportChanges(access, input)
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(intelReports)
      .where(and(eq(intelReports.id, uuid), intelReportVisibility(access)))
      .for('update')
    if (!current) throw notFound()
    if (current.version !== version) throw versionConflict(current.version)
    const subjects =
      input.subjectIds === undefined ? undefined : await resolveSubjects(tx, access, input.subjectIds)
    const [row] = await tx
      .update(intelReports)
      .set({ ...changes, version: sql`${intelReports.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(intelReports.id, uuid), eq(intelReports.version, version)))
      .returning()
    if (!row) throw versionConflict(current.version)
    if (subjects) await replaceSubjects(tx, uuid, subjects)
    return toIntelReportRecord(row)
  })
}

/**
 * The import's idempotent write, inside the caller's transaction: creates the report, or brings the
 * existing one with the same `externalRef` to the input (fields left out take their defaults;
 * subjects are replaced only when given), or leaves it alone when it matches.
 */
export async function upsertIntelReportByExternalRef(
  db: Database,
  access: RecordAccess,
  input: CreateIntelReportInput,
): Promise<UpsertResult<IntelReportRecord>> {
  const values = newReportValues(access, input)
  const subjects = input.subjectIds == null ? undefined : await resolveSubjects(db, access, input.subjectIds)
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await reportByExternalRef(db, access, values.externalRef)
    if (!existing) {
      const [row] = await insertReport(db, access, values)
      if (!row) continue
      if (subjects) await replaceSubjects(db, row.id, subjects)
      return { record: toIntelReportRecord(row), outcome: 'created' }
    }
    if (!access.tlpLevels.includes(existing.tlp)) throw duplicateExternalRef()
    const subjectsSame = !subjects || (await sameSubjects(db, existing.id, subjects))
    if (subjectsSame && sameState(reportState(existing), reportState(values))) {
      return { record: toIntelReportRecord(existing), outcome: 'unchanged' }
    }
    const [row] = await db
      .update(intelReports)
      .set({ ...values, version: sql`${intelReports.version} + 1`, updatedAt: sql`now()` })
      .where(eq(intelReports.id, existing.id))
      .returning()
    if (subjects && !subjectsSame) await replaceSubjects(db, existing.id, subjects)
    return { record: toIntelReportRecord(row as IntelReportRow), outcome: 'updated' }
  }
  throw duplicateExternalRef()
}
