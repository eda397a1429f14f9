/**
 * Cases: list, get, batch loads, create, update and the import's upsert. All SQL for cases lives here.
 */
import { and, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../../db/open.ts'
import { casePersons, cases, persons } from '../../../db/schema/records.ts'
import { caseStatuses, crimeCategories, personRoles, tlpLevels } from '../../../schema/vocabulary.ts'
import { caseVisibility, personVisibility, type RecordAccess } from './access.ts'
import { decodeCursor, type Page, pageSize, toPage } from './cursor.ts'
import { filterList } from './filters.ts'
import { ownRecordUuid, parseGlobalId } from './global-id.ts'
import {
  type CaseRow,
  caseColumns,
  groupBy,
  personColumns,
  resolveLinkedIds,
  toCaseRecord,
  toPersonRecord,
} from './rows.ts'
import { containsAllWords, queryWords } from './text-search.ts'
import type {
  CaseFilter,
  CasePersonInput,
  CasePersonLink,
  CaseRecord,
  CreateCaseInput,
  ListArguments,
  PersonCaseLink,
  UpdateCaseInput,
  UpsertResult,
} from './types.ts'
import {
  boundedList,
  boundedText,
  country,
  distinctBy,
  invalid,
  isoDate,
  maxFreeTextLength,
  monthOf,
  oneOf,
  optionalDate,
  optionalText,
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

const resource = 'case'
export const maxTitleLength = 500
export const maxLocationLength = 300

// Reading

function caseConditions(access: RecordAccess, filter: CaseFilter | null | undefined): SQL[] {
  const conditions = [caseVisibility(access)]
  if (!filter) return conditions
  if (filter.externalRef != null) {
    conditions.push(eq(cases.externalRef, boundedText(filter.externalRef, 'filter.externalRef', 200)))
  }
  if (filter.text != null) {
    const words = queryWords(boundedText(filter.text, 'filter.text', 1000), 'filter.text')
    conditions.push(containsAllWords(sql`${cases.title} || ' ' || ${cases.summary}`, words))
  }
  const categories = filterList(filter.crimeCategories, 'filter.crimeCategories', (v, p) =>
    oneOf(crimeCategories, v, p),
  )
  if (categories) conditions.push(inArray(cases.crimeCategory, categories))
  const statuses = filterList(filter.statuses, 'filter.statuses', (v, p) => oneOf(caseStatuses, v, p))
  if (statuses) conditions.push(inArray(cases.status, statuses))
  const countries = filterList(filter.countries, 'filter.countries', country)
  if (countries) conditions.push(inArray(cases.country, countries))
  const tlp = filterList(filter.tlp, 'filter.tlp', (v, p) => oneOf(tlpLevels, v, p))
  if (tlp) conditions.push(inArray(cases.tlp, tlp))
  const openedFrom = optionalDate(filter.openedFrom, 'filter.openedFrom')
  if (openedFrom) conditions.push(gte(cases.openedOn, openedFrom))
  const openedTo = optionalDate(filter.openedTo, 'filter.openedTo')
  if (openedTo) conditions.push(lte(cases.openedOn, openedTo))
  return conditions
}

/** Cases the reader may see, newest opened first. */
export async function listCases(
  db: Database,
  access: RecordAccess,
  args: ListArguments<CaseFilter>,
  maxPageSize = 100,
): Promise<Page<CaseRecord>> {
  const size = pageSize(args.first, maxPageSize)
  const conditions = caseConditions(access, args.filter)
  if (args.after != null) {
    const after = decodeCursor(resource, 'date', args.after)
    conditions.push(sql`(${cases.openedOn}, ${cases.id}) < (${after.sortValue}::date, ${after.uuid}::uuid)`)
  }
  const rows = await db
    .select()
    .from(cases)
    .where(and(...conditions))
    .orderBy(desc(cases.openedOn), desc(cases.id))
    .limit(size + 1)
  return toPage(rows, size, resource, (row) => ({ sortValue: row.openedOn, uuid: row.id }), toCaseRecord)
}

/** One case by global id; null when it is another agency's, absent or not visible. */
export async function getCase(db: Database, access: RecordAccess, id: string): Promise<CaseRecord | null> {
  const { agency, uuid } = parseGlobalId(id, 'id')
  if (agency !== access.agency) return null
  return (await casesByIds(db, access, [uuid])).get(uuid) ?? null
}

export async function casesByIds(
  db: Database,
  access: RecordAccess,
  uuids: readonly string[],
): Promise<Map<string, CaseRecord>> {
  if (uuids.length === 0) return new Map()
  const rows = await db
    .select()
    .from(cases)
    .where(and(inArray(cases.id, [...new Set(uuids)]), caseVisibility(access)))
  return new Map(rows.map((row) => [row.id, toCaseRecord(row)]))
}

/** The visible persons of each case with their roles, by case UUID. */
export async function personsOfCases(
  db: Database,
  access: RecordAccess,
  caseUuids: readonly string[],
): Promise<Map<string, CasePersonLink[]>> {
  if (caseUuids.length === 0) return new Map()
  const rows = await db
    .select({ caseId: casePersons.caseId, role: casePersons.role, person: personColumns })
    .from(casePersons)
    .innerJoin(persons, eq(persons.id, casePersons.personId))
    .where(and(inArray(casePersons.caseId, [...new Set(caseUuids)]), personVisibility(access)))
    .orderBy(casePersons.caseId, casePersons.role, persons.createdAt, persons.id)
  return groupBy(
    rows,
    (row) => row.caseId,
    (row) => ({ role: row.role, person: toPersonRecord(row.person) }),
  )
}

/** The visible cases of each person with the person's role in each, by person UUID. */
export async function casesOfPersons(
  db: Database,
  access: RecordAccess,
  personUuids: readonly string[],
): Promise<Map<string, PersonCaseLink[]>> {
  if (personUuids.length === 0) return new Map()
  const rows = await db
    .select({ personId: casePersons.personId, role: casePersons.role, case: caseColumns })
    .from(casePersons)
    .innerJoin(cases, eq(cases.id, casePersons.caseId))
    .where(and(inArray(casePersons.personId, [...new Set(personUuids)]), caseVisibility(access)))
    .orderBy(casePersons.personId, desc(cases.openedOn), cases.id, casePersons.role)
  return groupBy(
    rows,
    (row) => row.personId,
    (row) => ({ role: row.role, case: toCaseRecord(row.case) }),
  )
}

// Writing

type CaseValues = Omit<
  typeof cases.$inferInsert,
  'id' | 'agency' | 'globalId' | 'createdAt' | 'updatedAt' | 'version'
>

interface CaseLink {
  personId: string
  role: (typeof personRoles)[number]
}

function checkDates(values: { openedOn: string; closedOn?: string | null | undefined }) {
  if (values.closedOn && values.closedOn < values.openedOn) {
    throw invalid('closedOn', 'A case cannot close before it opened.')
  }
}

function newCaseValues(access: RecordAccess, input: CreateCaseInput): CaseValues {
  const openedOn = isoDate(input.openedOn, 'openedOn')
  const closedOn = optionalDate(input.closedOn, 'closedOn')
  const values: CaseValues = {
    ...newRecordColumns(access, input),
    title: boundedText(input.title, 'title', maxTitleLength),
    summary: boundedText(input.summary ?? '', 'summary', maxFreeTextLength, {
      multiline: true,
      allowEmpty: true,
    }),
    crimeCategory: oneOf(crimeCategories, input.crimeCategory, 'crimeCategory'),
    status: oneOf(caseStatuses, input.status ?? 'OPEN', 'status'),
    country: country(input.country, 'country'),
    location: optionalText(input.location, 'location', maxLocationLength),
    openedOn,
    closedOn,
    openedMonth: monthOf(openedOn),
    closedMonth: monthOf(closedOn),
  }
  checkDates({ openedOn, closedOn })
  return values
}

function caseChanges(access: RecordAccess, input: UpdateCaseInput): Partial<CaseValues> {
  return changedFields<CaseValues>(input as unknown as Record<string, unknown>, {
    tlp: { check: (value, path) => writableTlp(access, value, path) },
    handlingCode: { check: handlingCode },
    title: { check: (value, path) => boundedText(value, path, maxTitleLength) },
    summary: {
      check: (value, path) =>
        boundedText(value, path, maxFreeTextLength, { multiline: true, allowEmpty: true }),
    },
    crimeCategory: { check: (value, path) => oneOf(crimeCategories, value, path) },
    status: { check: (value, path) => oneOf(caseStatuses, value, path) },
    country: { check: country },
    location: { check: (value, path) => boundedText(value, path, maxLocationLength), nullable: true },
    openedOn: { check: isoDate },
    closedOn: { check: isoDate, nullable: true },
  })
}

function mergedCaseValues(current: CaseRow, changes: Partial<CaseValues>): CaseValues {
  const merged = {
    externalRef: current.externalRef,
    tlp: current.tlp,
    handlingCode: current.handlingCode,
    title: current.title,
    summary: current.summary,
    crimeCategory: current.crimeCategory,
    status: current.status,
    country: current.country,
    location: current.location,
    openedOn: current.openedOn,
    closedOn: current.closedOn,
    ...changes,
  }
  checkDates(merged)
  return { ...merged, openedMonth: monthOf(merged.openedOn), closedMonth: monthOf(merged.closedOn ?? null) }
}

function parseCaseLinks(access: RecordAccess, list: CasePersonInput[] | null | undefined, path = 'persons') {
  const links = boundedList<CasePersonInput>(list ?? [], path)
  return links.map((link, index) => ({
    personId: ownRecordUuid(access, link?.personId, `${path}[${index}].personId`),
    role: oneOf(personRoles, link?.role, `${path}[${index}].role`),
    globalId: link.personId,
  }))
}

async function resolveCaseLinks(
  db: Database,
  access: RecordAccess,
  list: CasePersonInput[] | null | undefined,
): Promise<CaseLink[]> {
  const parsed = parseCaseLinks(access, list)
  await resolveLinkedIds(
    db,
    access,
    'PERSON',
    parsed.map((link) => link.globalId),
    (index) => `persons[${index}].personId`,
  )
  return distinctBy(
    parsed.map(({ personId, role }) => ({ personId, role })),
    (link) => `${link.personId}:${link.role}`,
  )
}

async function currentCaseLinks(db: Database, caseUuid: string): Promise<CaseLink[]> {
  return db
    .select({ personId: casePersons.personId, role: casePersons.role })
    .from(casePersons)
    .where(eq(casePersons.caseId, caseUuid))
}

async function replaceCaseLinks(db: Database, caseUuid: string, links: CaseLink[]): Promise<void> {
  await db.delete(casePersons).where(eq(casePersons.caseId, caseUuid))
  if (links.length > 0) {
    await db.insert(casePersons).values(links.map((link) => ({ caseId: caseUuid, ...link })))
  }
}

function caseState(values: CaseValues | CaseRow) {
  return {
    tlp: values.tlp,
    handlingCode: values.handlingCode,
    title: values.title,
    summary: values.summary,
    crimeCategory: values.crimeCategory,
    status: values.status,
    country: values.country,
    location: values.location ?? null,
    openedOn: values.openedOn,
    closedOn: values.closedOn ?? null,
  }
}

const linkKey = (link: CaseLink) => `${link.personId}:${link.role}`

async function caseByExternalRef(
  db: Database,
  access: RecordAccess,
  ref: string,
): Promise<CaseRow | undefined> {
  const [row] = await db
    .select()
    .from(cases)
    .where(and(eq(cases.agency, access.agency), eq(cases.externalRef, ref)))
    .for('update')
  return row
}

function insertCase(db: Database, access: RecordAccess, values: CaseValues) {
  return db
    .insert(cases)
    .values({ ...values, agency: access.agency })
    .onConflictDoNothing({ target: [cases.agency, cases.externalRef] })
    .returning()
}

/**
 * Creates a case. Idempotent on `externalRef`: the same input again returns the existing case; a
 * different input with the same reference is DUPLICATE_EXTERNAL_REF.
 */
export async function createCase(
  db: Database,
  access: RecordAccess,
  input: CreateCaseInput,
): Promise<CaseRecord> {
  const values = newCaseValues(access, input)
  return db.transaction(async (tx) => {
    const links = await resolveCaseLinks(tx, access, input.persons)
    const [row] = await insertCase(tx, access, values)
    if (row) {
      await replaceCaseLinks(tx, row.id, links)
      return toCaseRecord(row)
    }
    const existing = await caseByExternalRef(tx, access, values.externalRef)
    if (
      existing &&
      sameState(caseState(existing), caseState(values)) &&
      sameState(sortedKeys(await currentCaseLinks(tx, existing.id), linkKey), sortedKeys(links, linkKey))
    ) {
      return toCaseRecord(existing)
    }
    throw duplicateExternalRef()
  })
}

/** Changes a case at the quoted version: VERSION_CONFLICT when it has moved on. */
export async function updateCase(
  db: Database,
  access: RecordAccess,
  input: UpdateCaseInput,
): Promise<CaseRecord> {
  const uuid = ownRecordUuid(access, input.id, 'id')
  const version = expectedVersion(input.version)
  const changes = caseChanges(access, input)
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(cases)
      .where(and(eq(cases.id, uuid), caseVisibility(access)))
      .for('update')
    if (!current) throw notFound()
    if (current.version !== version) throw versionConflict(current.version)
    const values = mergedCaseValues(current, changes)
    const links = input.persons !== undefined ? await resolveCaseLinks(tx, access, input.persons) : undefined
    const [row] = await tx
      .update(cases)
      .set({ ...values, version: sql`${cases.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(cases.id, uuid), eq(cases.version, version)))
      .returning()
    if (!row) throw versionConflict(current.version)
    if (links) await replaceCaseLinks(tx, uuid, links)
    return toCaseRecord(row)
  })
}

/**
 * The import's idempotent write, inside the caller's transaction: creates the case, or brings the
 * existing case with the same `externalRef` to the input (fields left out take their defaults; the
 * person links are replaced only when given), or leaves it alone when it already matches.
 */
export async function upsertCaseByExternalRef(
  db: Database,
  access: RecordAccess,
  input: CreateCaseInput,
): Promise<UpsertResult<CaseRecord>> {
  const values = newCaseValues(access, input)
  const links = input.persons != null ? await resolveCaseLinks(db, access, input.persons) : undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await caseByExternalRef(db, access, values.externalRef)
    if (!existing) {
      const [row] = await insertCase(db, access, values)
      if (!row) continue
      if (links) await replaceCaseLinks(db, row.id, links)
      return { record: toCaseRecord(row), outcome: 'created' }
    }
    if (!access.tlpLevels.includes(existing.tlp)) throw duplicateExternalRef()
    const linksChanged =
      links !== undefined &&
      !sameState(sortedKeys(await currentCaseLinks(db, existing.id), linkKey), sortedKeys(links, linkKey))
    if (!linksChanged && sameState(caseState(existing), caseState(values))) {
      return { record: toCaseRecord(existing), outcome: 'unchanged' }
    }
    const [row] = await db
      .update(cases)
      .set({ ...values, version: sql`${cases.version} + 1`, updatedAt: sql`now()` })
      .where(eq(cases.id, existing.id))
      .returning()
    if (links && linksChanged) await replaceCaseLinks(db, existing.id, links)
    return { record: toCaseRecord(row as CaseRow), outcome: 'updated' }
  }
  throw duplicateExternalRef()
}
