/**
 * Syndicates with their members and cases: list, get, batch loads, create, update and the import's
 * upsert. All SQL for syndicates, memberships and syndicate-case links lives here.
 */
import { and, arrayOverlaps, desc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Database } from '../../../db/open.ts'
import { cases, persons, syndicateCases, syndicateMembers, syndicates } from '../../../db/schema/records.ts'
import {
  crimeCategories,
  type SyndicateMemberRole,
  syndicateMemberRoles,
  syndicateStatuses,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import { caseVisibility, personVisibility, type RecordAccess, syndicateVisibility } from './access.ts'
import { decodeCursor, type Page, pageSize, toPage } from './cursor.ts'
import { filterList } from './filters.ts'
import { ownRecordUuid, parseGlobalId } from './global-id.ts'
import {
  caseColumns,
  groupBy,
  personColumns,
  resolveLinkedIds,
  type SyndicateRow,
  syndicateColumns,
  toCaseRecord,
  toPersonRecord,
  toSyndicateRecord,
} from './rows.ts'
import { containsAllWords, queryWords } from './text-search.ts'
import type {
  CaseRecord,
  CreateSyndicateInput,
  ListArguments,
  SyndicateFilter,
  SyndicateMemberInput,
  SyndicateMemberLink,
  SyndicateMembershipLink,
  SyndicateRecord,
  UpdateSyndicateInput,
  UpsertResult,
} from './types.ts'
import { boundedList, boundedText, country, maxFreeTextLength, oneOf, requireDistinct } from './values.ts'
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

const resource = 'syndicate'
export const maxSyndicateNameLength = 300
export const maxAliases = 50
export const maxCountries = 50

const createdAtText = sql<string>`to_char(${syndicates.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`

// Reading

function syndicateConditions(access: RecordAccess, filter: SyndicateFilter | null | undefined): SQL[] {
  const conditions = [syndicateVisibility(access)]
  if (!filter) return conditions
  if (filter.externalRef != null) {
    conditions.push(eq(syndicates.externalRef, boundedText(filter.externalRef, 'filter.externalRef', 200)))
  }
  if (filter.name != null) {
    const words = queryWords(boundedText(filter.name, 'filter.name', 1000), 'filter.name')
    conditions.push(
      containsAllWords(sql`${syndicates.name} || ' ' || array_to_string(${syndicates.aliases}, ' ')`, words),
    )
  }
  const statuses = filterList(filter.statuses, 'filter.statuses', (v, p) => oneOf(syndicateStatuses, v, p))
  if (statuses) conditions.push(inArray(syndicates.status, statuses))
  const countries = filterList(filter.countries, 'filter.countries', country)
  if (countries) conditions.push(arrayOverlaps(syndicates.countries, countries))
  const categories = filterList(filter.crimeCategories, 'filter.crimeCategories', (v, p) =>
    oneOf(crimeCategories, v, p),
  )
  if (categories) conditions.push(inArray(syndicates.crimeCategory, categories))
  const tlp = filterList(filter.tlp, 'filter.tlp', (v, p) => oneOf(tlpLevels, v, p))
  if (tlp) conditions.push(inArray(syndicates.tlp, tlp))
  return conditions
}

/** Syndicates the reader may see, most recently recorded first. */
export async function listSyndicates(
  db: Database,
  access: RecordAccess,
  args: ListArguments<SyndicateFilter>,
  maxPageSize = 100,
): Promise<Page<SyndicateRecord>> {
  const size = pageSize(args.first, maxPageSize)
  const conditions = syndicateConditions(access, args.filter)
  if (args.after != null) {
    const after = decodeCursor(resource, 'timestamp', args.after)
    conditions.push(
      sql`(${syndicates.createdAt}, ${syndicates.id}) < ((${after.sortValue}::timestamp AT TIME ZONE 'UTC'), ${after.uuid}::uuid)`,
    )
  }
  const rows = await db
    .select({ row: syndicates, sortValue: createdAtText })
    .from(syndicates)
    .where(and(...conditions))
    .orderBy(desc(syndicates.createdAt), desc(syndicates.id))
    .limit(size + 1)
  return toPage(
    rows,
    size,
    resource,
    ({ row, sortValue }) => ({ sortValue, uuid: row.id }),
    ({ row }) => toSyndicateRecord(row),
  )
}

/** One syndicate by global id; null when it is another agency's, absent or not visible. */
export async function getSyndicate(
  db: Database,
  access: RecordAccess,
  id: string,
): Promise<SyndicateRecord | null> {
  const { agency, uuid } = parseGlobalId(id, 'id')
  if (agency !== access.agency) return null
  return (await syndicatesByIds(db, access, [uuid])).get(uuid) ?? null
}

export async function syndicatesByIds(
  db: Database,
  access: RecordAccess,
  uuids: readonly string[],
): Promise<Map<string, SyndicateRecord>> {
  if (uuids.length === 0) return new Map()
  const rows = await db
    .select()
    .from(syndicates)
    .where(and(inArray(syndicates.id, [...new Set(uuids)]), syndicateVisibility(access)))
  return new Map(rows.map((row) => [row.id, toSyndicateRecord(row)]))
}

/** The visible members of each syndicate with their roles, by syndicate UUID. */
export async function membersOfSyndicates(
  db: Database,
  access: RecordAccess,
  syndicateUuids: readonly string[],
): Promise<Map<string, SyndicateMemberLink[]>> {
  if (syndicateUuids.length === 0) return new Map()
  const rows = await db
    .select({ syndicateId: syndicateMembers.syndicateId, role: syndicateMembers.role, person: personColumns })
    .from(syndicateMembers)
    .innerJoin(persons, eq(persons.id, syndicateMembers.personId))
    .where(and(inArray(syndicateMembers.syndicateId, [...new Set(syndicateUuids)]), personVisibility(access)))
    .orderBy(syndicateMembers.syndicateId, syndicateMembers.role, persons.createdAt, persons.id)
  return groupBy(
    rows,
    (row) => row.syndicateId,
    (row) => ({ role: row.role, person: toPersonRecord(row.person) }),
  )
}

/** The visible syndicates each person belongs to, with the person's role, by person UUID. */
export async function syndicatesOfPersons(
  db: Database,
  access: RecordAccess,
  personUuids: readonly string[],
): Promise<Map<string, SyndicateMembershipLink[]>> {
  if (personUuids.length === 0) return new Map()
  const rows = await db
    .select({ personId: syndicateMembers.personId, role: syndicateMembers.role, syndicate: syndicateColumns })
    .from(syndicateMembers)
    .innerJoin(syndicates, eq(syndicates.id, syndicateMembers.syndicateId))
    .where(and(inArray(syndicateMembers.personId, [...new Set(personUuids)]), syndicateVisibility(access)))
    .orderBy(syndicateMembers.personId, syndicates.name, syndicates.id)
  return groupBy(
    rows,
    (row) => row.personId,
    (row) => ({ role: row.role, syndicate: toSyndicateRecord(row.syndicate) }),
  )
}

/** The visible cases linked to each syndicate, by syndicate UUID. */
export async function casesOfSyndicates(
  db: Database,
  access: RecordAccess,
  syndicateUuids: readonly string[],
): Promise<Map<string, CaseRecord[]>> {
  if (syndicateUuids.length === 0) return new Map()
  const rows = await db
    .select({ syndicateId: syndicateCases.syndicateId, case: caseColumns })
    .from(syndicateCases)
    .innerJoin(cases, eq(cases.id, syndicateCases.caseId))
    .where(and(inArray(syndicateCases.syndicateId, [...new Set(syndicateUuids)]), caseVisibility(access)))
    .orderBy(syndicateCases.syndicateId, desc(cases.openedOn), cases.id)
  return groupBy(
    rows,
    (row) => row.syndicateId,
    (row) => toCaseRecord(row.case),
  )
}

/** The visible syndicates linked to each case, by case UUID. */
export async function syndicatesOfCases(
  db: Database,
  access: RecordAccess,
  caseUuids: readonly string[],
): Promise<Map<string, SyndicateRecord[]>> {
  if (caseUuids.length === 0) return new Map()
  const rows = await db
    .select({ caseId: syndicateCases.caseId, syndicate: syndicateColumns })
    .from(syndicateCases)
    .innerJoin(syndicates, eq(syndicates.id, syndicateCases.syndicateId))
    .where(and(inArray(syndicateCases.caseId, [...new Set(caseUuids)]), syndicateVisibility(access)))
    .orderBy(syndicateCases.caseId, syndicates.name, syndicates.id)
  return groupBy(
    rows,
    (row) => row.caseId,
    (row) => toSyndicateRecord(row.syndicate),
  )
}

// Writing

type SyndicateValues = Omit<
  typeof syndicates.$inferInsert,
  'id' | 'agency' | 'globalId' | 'createdAt' | 'updatedAt' | 'version'
>

interface MemberLink {
  personId: string
  role: SyndicateMemberRole
}

function aliases(value: unknown, path: string): string[] {
  const list = boundedList<unknown>(value, path, maxAliases).map((alias, index) =>
    boundedText(alias, `${path}[${index}]`, maxSyndicateNameLength),
  )
  return [...new Set(list)]
}

function countries(value: unknown, path: string): string[] {
  const list = boundedList<unknown>(value, path, maxCountries).map((code, index) =>
    country(code, `${path}[${index}]`),
  )
  return [...new Set(list)]
}

function description(value: unknown, path: string): string {
  return boundedText(value, path, maxFreeTextLength, { multiline: true, allowEmpty: true })
}

function newSyndicateValues(access: RecordAccess, input: CreateSyndicateInput): SyndicateValues {
  return {
    ...newRecordColumns(access, input),
    name: boundedText(input.name, 'name', maxSyndicateNameLength),
    aliases: aliases(input.aliases ?? [], 'aliases'),
    status: oneOf(syndicateStatuses, input.status ?? 'ACTIVE', 'status'),
    countries: countries(input.countries ?? [], 'countries'),
    description: description(input.description ?? '', 'description'),
    crimeCategory: oneOf(crimeCategories, input.crimeCategory, 'crimeCategory'),
  }
}

function syndicateChanges(access: RecordAccess, input: UpdateSyndicateInput): Partial<SyndicateValues> {
  return changedFields<SyndicateValues>(input as unknown as Record<string, unknown>, {
    tlp: { check: (value, path) => writableTlp(access, value, path) },
    handlingCode: { check: handlingCode },
    name: { check: (value, path) => boundedText(value, path, maxSyndicateNameLength) },
    aliases: { check: aliases },
    status: { check: (value, path) => oneOf(syndicateStatuses, value, path) },
    countries: { check: countries },
    description: { check: description },
    crimeCategory: { check: (value, path) => oneOf(crimeCategories, value, path) },
  })
}

async function resolveMembers(
  db: Database,
  access: RecordAccess,
  list: SyndicateMemberInput[] | null | undefined,
): Promise<MemberLink[]> {
  const inputs = boundedList<SyndicateMemberInput>(list ?? [], 'members')
  const members = inputs.map((member, index) => ({
    personId: ownRecordUuid(access, member?.personId, `members[${index}].personId`),
    role: oneOf(syndicateMemberRoles, member?.role, `members[${index}].role`),
  }))
  requireDistinct(members, (member) => member.personId, 'members', 'person')
  await resolveLinkedIds(
    db,
    access,
    'PERSON',
    inputs.map((member) => member.personId),
    (index) => `members[${index}].personId`,
  )
  return members
}

async function resolveCaseIds(
  db: Database,
  access: RecordAccess,
  list: string[] | null | undefined,
): Promise<string[]> {
  const ids = boundedList<string>(list ?? [], 'caseIds')
  return [...new Set(await resolveLinkedIds(db, access, 'CASE', ids, (index) => `caseIds[${index}]`))]
}

function syndicateState(values: SyndicateValues | SyndicateRow) {
  return {
    tlp: values.tlp,
    handlingCode: values.handlingCode,
    name: values.name,
    aliases: [...(values.aliases ?? [])].sort(),
    status: values.status,
    countries: [...(values.countries ?? [])].sort(),
    description: values.description,
    crimeCategory: values.crimeCategory,
  }
}

const memberKey = (member: MemberLink) => `${member.personId}:${member.role}`
const caseKey = (caseId: string) => caseId

async function currentMembers(db: Database, syndicateUuid: string): Promise<MemberLink[]> {
  return db
    .select({ personId: syndicateMembers.personId, role: syndicateMembers.role })
    .from(syndicateMembers)
    .where(eq(syndicateMembers.syndicateId, syndicateUuid))
}

async function currentCaseIds(db: Database, syndicateUuid: string): Promise<string[]> {
  const rows = await db
    .select({ caseId: syndicateCases.caseId })
    .from(syndicateCases)
    .where(eq(syndicateCases.syndicateId, syndicateUuid))
  return rows.map((row) => row.caseId)
}

async function replaceMembers(db: Database, syndicateUuid: string, members: MemberLink[]): Promise<void> {
  await db.delete(syndicateMembers).where(eq(syndicateMembers.syndicateId, syndicateUuid))
  if (members.length > 0) {
    await db
      .insert(syndicateMembers)
      .values(members.map((member) => ({ syndicateId: syndicateUuid, ...member })))
  }
}

async function replaceCases(db: Database, syndicateUuid: string, caseIds: string[]): Promise<void> {
  await db.delete(syndicateCases).where(eq(syndicateCases.syndicateId, syndicateUuid))
  if (caseIds.length > 0) {
    await db.insert(syndicateCases).values(caseIds.map((caseId) => ({ syndicateId: syndicateUuid, caseId })))
  }
}

async function sameLinks(
  db: Database,
  syndicateUuid: string,
  members: MemberLink[] | undefined,
  caseIds: string[] | undefined,
): Promise<{ members: boolean; cases: boolean }> {
  return {
    members:
      !members ||
      sameState(
        sortedKeys(await currentMembers(db, syndicateUuid), memberKey),
        sortedKeys(members, memberKey),
      ),
    cases:
      !caseIds ||
      sameState(sortedKeys(await currentCaseIds(db, syndicateUuid), caseKey), sortedKeys(caseIds, caseKey)),
  }
}

async function syndicateByExternalRef(
  db: Database,
  access: RecordAccess,
  ref: string,
): Promise<SyndicateRow | undefined> {
  const [row] = await db
    .select()
    .from(syndicates)
    .where(and(eq(syndicates.agency, access.agency), eq(syndicates.externalRef, ref)))
    .for('update')
  return row
}

function insertSyndicate(db: Database, access: RecordAccess, values: SyndicateValues) {
  return db
    .insert(syndicates)
    .values({ ...values, agency: access.agency })
    .onConflictDoNothing({ target: [syndicates.agency, syndicates.externalRef] })
    .returning()
}

/**
 * Creates a syndicate with its members and cases. Idempotent on `externalRef`: the same input again
 * returns the existing syndicate; a different one is DUPLICATE_EXTERNAL_REF.
 */
export async function createSyndicate(
  db: Database,
  access: RecordAccess,
  input: CreateSyndicateInput,
): Promise<SyndicateRecord> {
  const values = newSyndicateValues(access, input)
  return db.transaction(async (tx) => {
    const members = await resolveMembers(tx, access, input.members)
    const caseIds = await resolveCaseIds(tx, access, input.caseIds)
    const [row] = await insertSyndicate(tx, access, values)
    if (row) {
      await replaceMembers(tx, row.id, members)
      await replaceCases(tx, row.id, caseIds)
      return toSyndicateRecord(row)
    }
    const existing = await syndicateByExternalRef(tx, access, values.externalRef)
    if (existing && sameState(syndicateState(existing), syndicateState(values))) {
      const same = await sameLinks(tx, existing.id, members, caseIds)
      if (same.members && same.cases) return toSyndicateRecord(existing)
    }
    throw duplicateExternalRef()
  })
}

/** Changes a syndicate at the quoted version; members and cases, when given, are replaced. */
export async function updateSyndicate(
  db: Database,
  access: RecordAccess,
  input: UpdateSyndicateInput,
): Promise<SyndicateRecord> {
  const uuid = ownRecordUuid(access, input.id, 'id')
  const version = expectedVersion(input.version)
  const changes = syndicateChanges(access, input)
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(syndicates)
      .where(and(eq(syndicates.id, uuid), syndicateVisibility(access)))
      .for('update')
    if (!current) throw notFound()
    if (current.version !== version) throw versionConflict(current.version)
    const members = input.members === undefined ? undefined : await resolveMembers(tx, access, input.members)
    const caseIds = input.caseIds === undefined ? undefined : await resolveCaseIds(tx, access, input.caseIds)
    const [row] = await tx
      .update(syndicates)
      .set({ ...changes, version: sql`${syndicates.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(syndicates.id, uuid), eq(syndicates.version, version)))
      .returning()
    if (!row) throw versionConflict(current.version)
    if (members) await replaceMembers(tx, uuid, members)
    if (caseIds) await replaceCases(tx, uuid, caseIds)
    return toSyndicateRecord(row)
  })
}

/**
 * The import's idempotent write, inside the caller's transaction: creates the syndicate, or brings
 * the existing one with the same `externalRef` to the input (fields left out take their defaults;
 * members and cases are replaced only when given), or leaves it alone when it matches.
 */
export async function upsertSyndicateByExternalRef(
  db: Database,
  access: RecordAccess,
  input: CreateSyndicateInput,
): Promise<UpsertResult<SyndicateRecord>> {
  const values = newSyndicateValues(access, input)
  const members = input.members == null ? undefined : await resolveMembers(db, access, input.members)
  const caseIds = input.caseIds == null ? undefined : await resolveCaseIds(db, access, input.caseIds)
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await syndicateByExternalRef(db, access, values.externalRef)
    if (!existing) {
      const [row] = await insertSyndicate(db, access, values)
      if (!row) continue
      if (members) await replaceMembers(db, row.id, members)
      if (caseIds) await replaceCases(db, row.id, caseIds)
      return { record: toSyndicateRecord(row), outcome: 'created' }
    }
    if (!access.tlpLevels.includes(existing.tlp)) throw duplicateExternalRef()
    const same = await sameLinks(db, existing.id, members, caseIds)
    if (same.members && same.cases && sameState(syndicateState(existing), syndicateState(values))) {
      return { record: toSyndicateRecord(existing), outcome: 'unchanged' }
    }
    const [row] = await db
      .update(syndicates)
      .set({ ...values, version: sql`${syndicates.version} + 1`, updatedAt: sql`now()` })
      .where(eq(syndicates.id, existing.id))
      .returning()
    if (members && !same.members) await replaceMembers(db, existing.id, members)
    if (caseIds && !same.cases) await replaceCases(db, existing.id, caseIds)
    return { record: toSyndicateRecord(row as SyndicateRow), outcome: 'updated' }
  }
  throw duplicateExternalRef()
}
