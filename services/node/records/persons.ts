/**
 * Persons with their names and identifiers: list (name search, identifier lookup), get, batch loads,
 * create, update and the import's upsert. All SQL for persons, names and identifiers lives here.
 */
import { and, arrayContains, desc, eq, exists, inArray, type SQL, sql } from 'drizzle-orm'
import { jsonRowsInsert } from '../../../db/json-rows.ts'
import type { Database } from '../../../db/open.ts'
import { casePersons, cases, identifiers, personNames, persons } from '../../../db/schema/records.ts'
import {
  genders,
  type IdentifierKind,
  identifierKinds,
  nameKinds,
  personRoles,
  personStatuses,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import { normaliseIdentifier } from '../matching/identifiers.ts'
import { nameTokens } from '../matching/names.ts'
import { caseVisibility, identifierVisibility, personVisibility, type RecordAccess } from './access.ts'
import { decodeCursor, type Page, pageSize, toPage } from './cursor.ts'
import { filterList } from './filters.ts'
import { ownRecordUuid, parseGlobalId } from './global-id.ts'
import { groupBy, type PersonRow, toPersonRecord } from './rows.ts'
import { queryWords } from './text-search.ts'
import type {
  CreatePersonInput,
  Identifier,
  IdentifierInput,
  IdentifierLookup,
  ListArguments,
  PersonFilter,
  PersonName,
  PersonNameInput,
  PersonRecord,
  UpdatePersonInput,
  UpsertOutcome,
  UpsertResult,
} from './types.ts'
import {
  boundedList,
  boundedText,
  country,
  detectScript,
  distinctBy,
  invalid,
  isoDate,
  maxFreeTextLength,
  monthOf,
  oneOf,
  optionalCountry,
  optionalDate,
  optionalText,
  parsePartialDate,
  scriptCode,
  todayUtc,
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

const resource = 'person'
export const maxNameLength = 300
export const maxNamesPerPerson = 50
export const maxIdentifiersPerPerson = 200
/** Identifiers one `filter.identifiers` may look up at once (a batch hit/no-hit check). */
export const maxLookupIdentifiers = 1_000

/** The creation time as exact text (microseconds, UTC): the sort value of the person cursor. */
const createdAtText = sql<string>`to_char(${persons.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`

// Reading

/** An identifier as a reader typed it, in its normalised form; a phone without country code is read in this node's country. */
function lookupValue(access: RecordAccess, kind: IdentifierKind, value: unknown, path: string): string {
  try {
    return normaliseIdentifier(kind, boundedText(value, path, 1000), {
      ...(kind === 'PHONE' ? { country: access.country } : {}),
    }).normalised
  } catch (error) {
    if (error instanceof JaringError && error.code === 'INVALID_IDENTIFIER') {
      throw new JaringError('INVALID_IDENTIFIER', { path, detail: error.detail ?? '', extra: { kind } })
    }
    throw error
  }
}

function hasIdentifier(db: Database, access: RecordAccess, kind: IdentifierKind, normalised: string): SQL {
  return inArray(
    persons.id,
    db
      .select({ personId: identifiers.personId })
      .from(identifiers)
      .where(
        and(eq(identifiers.kind, kind), eq(identifiers.normalised, normalised), identifierVisibility(access)),
      ),
  )
}

/**
 * Persons with any of the identifiers, in one statement whatever their number: the (kind,
 * normalised) pairs go in as two array parameters and are matched on the lookup index.
 */
function hasAnyIdentifier(db: Database, access: RecordAccess, list: unknown): SQL {
  const lookups = boundedList<IdentifierLookup | null>(list, 'filter.identifiers', maxLookupIdentifiers)
  const pairs = new Map<string, [IdentifierKind, string]>()
  for (const [index, lookup] of lookups.entries()) {
    const path = `filter.identifiers[${index}]`
    if (!lookup || typeof lookup !== 'object') throw invalid(path, 'Must be an identifier lookup.')
    const kind = oneOf(identifierKinds, lookup.kind, `${path}.kind`)
    const normalised = lookupValue(access, kind, lookup.value, `${path}.value`)
    pairs.set(`${kind}:${normalised}`, [kind, normalised])
  }
  if (pairs.size === 0) return sql`false`
  const kinds = [...pairs.values()].map(([kind]) => kind)
  const values = [...pairs.values()].map(([, normalised]) => normalised)
  return inArray(
    persons.id,
    db
      .select({ personId: identifiers.personId })
      .from(identifiers)
      .where(
        and(
          sql`(${identifiers.kind}, ${identifiers.normalised}) IN (SELECT * FROM unnest(${sql.param(kinds)}::identifier_kind[], ${sql.param(values)}::text[]))`,
          identifierVisibility(access),
        ),
      ),
  )
}

function personConditions(
  db: Database,
  access: RecordAccess,
  filter: PersonFilter | null | undefined,
): SQL[] {
  const conditions = [personVisibility(access)]
  if (!filter) return conditions
  if (filter.externalRef != null) {
    conditions.push(eq(persons.externalRef, boundedText(filter.externalRef, 'filter.externalRef', 200)))
  }
  if (filter.name != null) {
    const words = queryWords(boundedText(filter.name, 'filter.name', 1000), 'filter.name')
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(personNames)
          .where(and(eq(personNames.personId, persons.id), arrayContains(personNames.tokens, words))),
      ),
    )
  }
  if (filter.identifier != null) {
    const kind = oneOf(identifierKinds, filter.identifier.kind, 'filter.identifier.kind')
    const normalised = lookupValue(access, kind, filter.identifier.value, 'filter.identifier.value')
    conditions.push(hasIdentifier(db, access, kind, normalised))
  }
  if (filter.identifiers != null) conditions.push(hasAnyIdentifier(db, access, filter.identifiers))
  if (filter.phone != null) {
    conditions.push(
      hasIdentifier(db, access, 'PHONE', lookupValue(access, 'PHONE', filter.phone, 'filter.phone')),
    )
  }
  if (filter.passport != null) {
    const normalised = lookupValue(access, 'PASSPORT', filter.passport, 'filter.passport')
    conditions.push(hasIdentifier(db, access, 'PASSPORT', normalised))
  }
  const nationalities = filterList(filter.nationalities, 'filter.nationalities', country)
  if (nationalities) conditions.push(inArray(persons.nationality, nationalities))
  const statuses = filterList(filter.statuses, 'filter.statuses', (v, p) => oneOf(personStatuses, v, p))
  if (statuses) conditions.push(inArray(persons.status, statuses))
  const roles = filterList(filter.roles, 'filter.roles', (v, p) => oneOf(personRoles, v, p))
  if (roles) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(casePersons)
          .innerJoin(cases, eq(cases.id, casePersons.caseId))
          .where(
            and(
              eq(casePersons.personId, persons.id),
              inArray(casePersons.role, roles),
              caseVisibility(access),
            ),
          ),
      ),
    )
  }
  const tlp = filterList(filter.tlp, 'filter.tlp', (v, p) => oneOf(tlpLevels, v, p))
  if (tlp) conditions.push(inArray(persons.tlp, tlp))
  return conditions
}

/** Persons the reader may see, most recently recorded first. */
export async function listPersons(
  db: Database,
  access: RecordAccess,
  args: ListArguments<PersonFilter>,
  maxPageSize = 100,
): Promise<Page<PersonRecord>> {
  const size = pageSize(args.first, maxPageSize)
  const conditions = personConditions(db, access, args.filter)
  if (args.after != null) {
    const after = decodeCursor(resource, 'timestamp', args.after)
    conditions.push(
      sql`(${persons.createdAt}, ${persons.id}) < ((${after.sortValue}::timestamp AT TIME ZONE 'UTC'), ${after.uuid}::uuid)`,
    )
  }
  const rows = await db
    .select({ row: persons, sortValue: createdAtText })
    .from(persons)
    .where(and(...conditions))
    .orderBy(desc(persons.createdAt), desc(persons.id))
    .limit(size + 1)
  return toPage(
    rows,
    size,
    resource,
    ({ row, sortValue }) => ({ sortValue, uuid: row.id }),
    ({ row }) => toPersonRecord(row),
  )
}

/** One person by global id; null when it is another agency's, absent or not visible. */
export async function getPerson(
  db: Database,
  access: RecordAccess,
  id: string,
): Promise<PersonRecord | null> {
  const { agency, uuid } = parseGlobalId(id, 'id')
  if (agency !== access.agency) return null
  return (await personsByIds(db, access, [uuid])).get(uuid) ?? null
}

export async function personsByIds(
  db: Database,
  access: RecordAccess,
  uuids: readonly string[],
): Promise<Map<string, PersonRecord>> {
  if (uuids.length === 0) return new Map()
  const rows = await db
    .select()
    .from(persons)
    .where(and(inArray(persons.id, [...new Set(uuids)]), personVisibility(access)))
  return new Map(rows.map((row) => [row.id, toPersonRecord(row)]))
}

/** The names of each person, primary first, by person UUID (the persons themselves were checked). */
export async function namesOfPersons(
  db: Database,
  personUuids: readonly string[],
): Promise<Map<string, PersonName[]>> {
  if (personUuids.length === 0) return new Map()
  const rows = await db
    .select({
      personId: personNames.personId,
      kind: personNames.kind,
      fullName: personNames.fullName,
      script: personNames.script,
      romanised: personNames.romanised,
    })
    .from(personNames)
    .where(inArray(personNames.personId, [...new Set(personUuids)]))
    .orderBy(personNames.personId, personNames.kind, personNames.fullName, personNames.id)
  return groupBy(
    rows,
    (row) => row.personId,
    ({ personId: _, ...name }) => name,
  )
}

/** The identifiers of each person that the reader may see, by person UUID. */
export async function identifiersOfPersons(
  db: Database,
  access: RecordAccess,
  personUuids: readonly string[],
): Promise<Map<string, Identifier[]>> {
  if (personUuids.length === 0) return new Map()
  const rows = await db
    .select({
      personId: identifiers.personId,
      id: identifiers.id,
      kind: identifiers.kind,
      value: identifiers.value,
      normalised: identifiers.normalised,
      issuingCountry: identifiers.issuingCountry,
      tlp: identifiers.tlp,
    })
    .from(identifiers)
    .where(and(inArray(identifiers.personId, [...new Set(personUuids)]), identifierVisibility(access)))
    .orderBy(identifiers.personId, identifiers.kind, identifiers.normalised)
  return groupBy(
    rows,
    (row) => row.personId,
    ({ personId: _, ...identifier }) => identifier,
  )
}

// Writing

type PersonValues = Omit<
  typeof persons.$inferInsert,
  'id' | 'agency' | 'globalId' | 'createdAt' | 'updatedAt' | 'version'
>

interface NameValues {
  kind: (typeof nameKinds)[number]
  fullName: string
  script: string
  romanised: string | null
  tokens: string[]
}

interface IdentifierValues {
  kind: IdentifierKind
  value: string
  normalised: string
  issuingCountry: string | null
  tlp: (typeof tlpLevels)[number]
}

function checkNames(list: unknown): NameValues[] {
  const names = boundedList<PersonNameInput>(list, 'names', maxNamesPerPerson)
  const values = names.map((name, index): NameValues => {
    const path = `names[${index}]`
    if (!name || typeof name !== 'object') throw invalid(path, 'Must be a name.')
    const fullName = boundedText(name.fullName, `${path}.fullName`, maxNameLength)
    const romanised = optionalText(name.romanised, `${path}.romanised`, maxNameLength)
    const tokens = nameTokens(fullName, romanised)
    if (tokens.length === 0) throw invalid(`${path}.fullName`, 'A name needs at least one letter or digit.')
    return {
      kind: oneOf(nameKinds, name.kind ?? 'PRIMARY', `${path}.kind`),
      fullName,
      script: name.script == null ? detectScript(fullName) : scriptCode(name.script, `${path}.script`),
      romanised,
      tokens,
    }
  })
  if (values.filter((name) => name.kind === 'PRIMARY').length !== 1) {
    throw invalid('names', 'A person has exactly one PRIMARY name.')
  }
  return distinctBy(values, (name) => JSON.stringify([name.kind, name.fullName, name.script, name.romanised]))
}

function checkIdentifiers(access: RecordAccess, list: unknown): IdentifierValues[] {
  const inputs = boundedList<IdentifierInput>(list ?? [], 'identifiers', maxIdentifiersPerPerson)
  const values = inputs.map((input, index): IdentifierValues => {
    const path = `identifiers[${index}]`
    if (!input || typeof input !== 'object') throw invalid(path, 'Must be an identifier.')
    const kind = oneOf(identifierKinds, input.kind, `${path}.kind`)
    const issuingCountry = optionalCountry(input.issuingCountry, `${path}.issuingCountry`)
    const tlp = writableTlp(access, input.tlp ?? 'AMBER', `${path}.tlp`)
    const readIn = issuingCountry ?? (kind === 'PHONE' ? access.country : null)
    try {
      const normalised = normaliseIdentifier(kind, input.value, readIn ? { country: readIn } : {})
      return { ...normalised, tlp }
    } catch (error) {
      if (error instanceof JaringError && error.code === 'INVALID_IDENTIFIER') {
        throw new JaringError('INVALID_IDENTIFIER', {
          path: `${path}.${error.path ?? 'value'}`,
          detail: error.detail ?? '',
          extra: { kind },
        })
      }
      throw error
    }
  })
  // The same identifier written twice (`+66 81 ...` and `081-...`) is one identifier: the first is kept.
  return distinctBy(values, (identifier) => `${identifier.kind}:${identifier.normalised}`)
}

function dateOfBirthValues(value: unknown, path: string) {
  if (value === null || value === undefined) return { dateOfBirth: null, dateOfBirthPrecision: null }
  const parsed = parsePartialDate(value, path)
  if (parsed.date > todayUtc()) throw invalid(path, 'A date of birth cannot be in the future.')
  return { dateOfBirth: parsed.date, dateOfBirthPrecision: parsed.precision }
}

function approximate(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'Must be true or false.')
  return value
}

function notes(value: unknown, path: string): string {
  return boundedText(value, path, maxFreeTextLength, { multiline: true, allowEmpty: true })
}

function newPersonValues(access: RecordAccess, input: CreatePersonInput): PersonValues {
  const statusChangedOn = optionalDate(input.statusChangedOn, 'statusChangedOn')
  return {
    ...newRecordColumns(access, input),
    ...dateOfBirthValues(input.dateOfBirth, 'dateOfBirth'),
    dateOfBirthApproximate: approximate(input.dateOfBirthApproximate ?? false, 'dateOfBirthApproximate'),
    nationality: optionalCountry(input.nationality, 'nationality'),
    gender: oneOf(genders, input.gender ?? 'UNKNOWN', 'gender'),
    status: oneOf(personStatuses, input.status ?? 'AT_LARGE', 'status'),
    lastKnownCountry: optionalCountry(input.lastKnownCountry, 'lastKnownCountry'),
    statusChangedOn,
    statusMonth: monthOf(statusChangedOn),
    notes: notes(input.notes ?? '', 'notes'),
  }
}

function personChanges(access: RecordAccess, input: UpdatePersonInput): Partial<PersonValues> {
  const changes = changedFields<PersonValues>(input as unknown as Record<string, unknown>, {
    tlp: { check: (value, path) => writableTlp(access, value, path) },
    handlingCode: { check: handlingCode },
    dateOfBirthApproximate: { check: approximate },
    nationality: { check: country, nullable: true },
    gender: { check: (value, path) => oneOf(genders, value, path) },
    status: { check: (value, path) => oneOf(personStatuses, value, path) },
    lastKnownCountry: { check: country, nullable: true },
    statusChangedOn: { check: isoDate, nullable: true },
    notes: { check: notes },
  })
  if (input.dateOfBirth !== undefined)
    Object.assign(changes, dateOfBirthValues(input.dateOfBirth, 'dateOfBirth'))
  if (changes.statusChangedOn !== undefined) changes.statusMonth = monthOf(changes.statusChangedOn ?? null)
  return changes
}

function personState(values: PersonValues | PersonRow) {
  return {
    tlp: values.tlp,
    handlingCode: values.handlingCode,
    dateOfBirth: values.dateOfBirth ?? null,
    dateOfBirthPrecision: values.dateOfBirthPrecision ?? null,
    dateOfBirthApproximate: values.dateOfBirthApproximate ?? false,
    nationality: values.nationality ?? null,
    gender: values.gender,
    status: values.status,
    lastKnownCountry: values.lastKnownCountry ?? null,
    statusChangedOn: values.statusChangedOn ?? null,
    notes: values.notes,
  }
}

const nameKey = (name: Omit<NameValues, 'tokens'>) =>
  JSON.stringify([name.kind, name.fullName, name.script, name.romanised])
const identifierKey = (identifier: Omit<IdentifierValues, 'value'>) =>
  JSON.stringify([identifier.kind, identifier.normalised, identifier.issuingCountry, identifier.tlp])

async function currentNames(db: Database, personUuid: string) {
  return db
    .select({
      kind: personNames.kind,
      fullName: personNames.fullName,
      script: personNames.script,
      romanised: personNames.romanised,
    })
    .from(personNames)
    .where(eq(personNames.personId, personUuid))
}

async function currentIdentifiers(db: Database, personUuid: string) {
  return db
    .select({
      kind: identifiers.kind,
      normalised: identifiers.normalised,
      issuingCountry: identifiers.issuingCountry,
      tlp: identifiers.tlp,
    })
    .from(identifiers)
    .where(eq(identifiers.personId, personUuid))
}

async function replaceNames(db: Database, personUuid: string, names: NameValues[]): Promise<void> {
  await db.delete(personNames).where(eq(personNames.personId, personUuid))
  await db.insert(personNames).values(names.map((name) => ({ personId: personUuid, ...name })))
}

async function replaceIdentifiers(
  db: Database,
  access: RecordAccess,
  personUuid: string,
  values: IdentifierValues[],
): Promise<void> {
  await db.delete(identifiers).where(eq(identifiers.personId, personUuid))
  if (values.length > 0) {
    await db
      .insert(identifiers)
      .values(values.map((identifier) => ({ personId: personUuid, agency: access.agency, ...identifier })))
  }
}

async function personByExternalRef(
  db: Database,
  access: RecordAccess,
  ref: string,
): Promise<PersonRow | undefined> {
  const [row] = await db
    .select()
    .from(persons)
    .where(and(eq(persons.agency, access.agency), eq(persons.externalRef, ref)))
    .for('update')
  return row
}

function insertPerson(db: Database, access: RecordAccess, values: PersonValues) {
  return db
    .insert(persons)
    .values({ ...values, agency: access.agency })
    .onConflictDoNothing({ target: [persons.agency, persons.externalRef] })
    .returning()
}

async function sameLinks(
  db: Database,
  personUuid: string,
  names: NameValues[] | undefined,
  identifierValues: IdentifierValues[] | undefined,
): Promise<boolean> {
  if (
    names &&
    !sameState(sortedKeys(await currentNames(db, personUuid), nameKey), sortedKeys(names, nameKey))
  ) {
    return false
  }
  if (
    identifierValues &&
    !sameState(
      sortedKeys(await currentIdentifiers(db, personUuid), identifierKey),
      sortedKeys(identifierValues, identifierKey),
    )
  ) {
    return false
  }
  return true
}

/**
 * Creates a person with names and identifiers. Idempotent on `externalRef`: the same input again
 * returns the existing person; a different one with the same reference is DUPLICATE_EXTERNAL_REF.
 */
export async function createPerson(
  db: Database,
  access: RecordAccess,
  input: CreatePersonInput,
): Promise<PersonRecord> {
  const values = newPersonValues(access, input)
  const names = checkNames(input.names)
  const identifierValues = checkIdentifiers(access, input.identifiers)
  return db.transaction(async (tx) => {
    const [row] = await insertPerson(tx, access, values)
    if (row) {
      await replaceNames(tx, row.id, names)
      await replaceIdentifiers(tx, access, row.id, identifierValues)
      return toPersonRecord(row)
    }
    const existing = await personByExternalRef(tx, access, values.externalRef)
    if (
      existing &&
      sameState(personState(existing), personState(values)) &&
      (await sameLinks(tx, existing.id, names, identifierValues))
    ) {
      return toPersonRecord(existing)
    }
    throw duplicateExternalRef()
  })
}

/** Changes a person at the quoted version; names and identifiers, when given, are replaced. */
export async function updatePerson(
  db: Database,
  access: RecordAccess,
  input: UpdatePersonInput,
): Promise<PersonRecord> {
  const uuid = ownRecordUuid(access, input.id, 'id')
  const version = expectedVersion(input.version)
  const changes = personChanges(access, input)
  if (input.names === null) throw invalid('names', 'Cannot be cleared: a person has a primary name.')
  const names = input.names === undefined ? undefined : checkNames(input.names)
  const identifierValues =
    input.identifiers === undefined ? undefined : checkIdentifiers(access, input.identifiers)
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(persons)
      .where(and(eq(persons.id, uuid), personVisibility(access)))
      .for('update')
    if (!current) throw notFound()
    if (current.version !== version) throw versionConflict(current.version)
    const [row] = await tx
      .update(persons)
      .set({ ...changes, version: sql`${persons.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(persons.id, uuid), eq(persons.version, version)))
      .returning()
    if (!row) throw versionConflict(current.version)
    if (names) await replaceNames(tx, uuid, names)
    if (identifierValues) await replaceIdentifiers(tx, access, uuid, identifierValues)
    return toPersonRecord(row)
  })
}

/** A person input checked and normalised, ready to write: what the import checks line by line. */
export interface PreparedPerson {
  values: PersonValues
  names: NameValues[]
  /** Undefined when the input gives none: an existing person's identifiers are then kept. */
  identifiers: IdentifierValues[] | undefined
}

/** Checks a create input as `createPerson` does; throws the same coded errors, with the same paths. */
export function preparePerson(access: RecordAccess, input: CreatePersonInput): PreparedPerson {
  return {
    values: newPersonValues(access, input),
    names: checkNames(input.names),
    identifiers: input.identifiers == null ? undefined : checkIdentifiers(access, input.identifiers),
  }
}

/**
 * The import's idempotent write, inside the caller's transaction: creates the person, or brings the
 * existing person with the same `externalRef` to the input (fields left out take their defaults;
 * names are always replaced, identifiers only when given), or leaves it alone when it matches.
 */
export async function upsertPersonByExternalRef(
  db: Database,
  access: RecordAccess,
  input: CreatePersonInput,
): Promise<UpsertResult<PersonRecord>> {
  return upsertPreparedPerson(db, access, preparePerson(access, input))
}

async function upsertPreparedPerson(
  db: Database,
  access: RecordAccess,
  prepared: PreparedPerson,
): Promise<UpsertResult<PersonRecord>> {
  const { values, names, identifiers: identifierValues } = prepared
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await personByExternalRef(db, access, values.externalRef)
    if (!existing) {
      const [row] = await insertPerson(db, access, values)
      if (!row) continue
      await replaceNames(db, row.id, names)
      await replaceIdentifiers(db, access, row.id, identifierValues ?? [])
      return { record: toPersonRecord(row), outcome: 'created' }
    }
    if (!access.tlpLevels.includes(existing.tlp)) throw duplicateExternalRef()
    const namesSame = await sameLinks(db, existing.id, names, undefined)
    const identifiersSame = await sameLinks(db, existing.id, undefined, identifierValues)
    if (namesSame && identifiersSame && sameState(personState(existing), personState(values))) {
      return { record: toPersonRecord(existing), outcome: 'unchanged' }
    }
    const [row] = await db
      .update(persons)
      .set({ ...values, version: sql`${persons.version} + 1`, updatedAt: sql`now()` })
      .where(eq(persons.id, existing.id))
      .returning()
    if (!namesSame) await replaceNames(db, existing.id, names)
    if (identifierValues && !identifiersSame)
      await replaceIdentifiers(db, access, existing.id, identifierValues)
    return { record: toPersonRecord(row as PersonRow), outcome: 'updated' }
  }
  throw duplicateExternalRef()
}

/** Rows per INSERT: bounds one statement's JSON, whatever the batch. */
const rowsPerInsert = 5_000

function* inChunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size)
}

/** What the import needs of an upsert: the record's global id and what was done. */
export interface UpsertedId {
  id: string
  outcome: UpsertOutcome
}

/**
 * `upsertPersonByExternalRef` for many prepared persons at once, with the same outcome for each:
 * the persons new to this node are created with one INSERT per table (persons, names,
 * identifiers) instead of three statements each; every other one (already stored, a reference
 * given twice, or one another transaction inserted meanwhile) goes through the one-by-one upsert.
 * Each result is the record's global id and outcome, or the coded error, in the input's order.
 */
export async function upsertPreparedPersons(
  db: Database,
  access: RecordAccess,
  batch: readonly PreparedPerson[],
): Promise<Array<UpsertedId | JaringError>> {
  const results: Array<UpsertedId | JaringError | undefined> = new Array(batch.length)
  if (batch.length === 0) return []
  const stored = new Set<string>()
  for (const refs of inChunks(
    [...new Set(batch.map((person) => person.values.externalRef))],
    rowsPerInsert,
  )) {
    const rows = await db
      .select({ externalRef: persons.externalRef })
      .from(persons)
      .where(and(eq(persons.agency, access.agency), inArray(persons.externalRef, refs)))
    for (const row of rows) stored.add(row.externalRef)
  }
  const fresh: number[] = []
  const seen = new Set<string>()
  for (const [index, person] of batch.entries()) {
    const ref = person.values.externalRef
    if (stored.has(ref) || seen.has(ref)) continue
    seen.add(ref)
    fresh.push(index)
  }
  const created = new Map<string, { uuid: string; globalId: string }>()
  for (const chunk of inChunks(fresh, rowsPerInsert)) {
    const insert = jsonRowsInsert(
      persons,
      chunk.map((index) => ({ agency: access.agency, ...(batch[index] as PreparedPerson).values })),
      sql`ON CONFLICT (agency, external_ref) DO NOTHING RETURNING id, external_ref, global_id`,
    )
    const { rows } = (await db.execute(insert)) as unknown as {
      rows: { id: string; external_ref: string; global_id: string }[]
    }
    for (const row of rows) created.set(row.external_ref, { uuid: row.id, globalId: row.global_id })
  }
  const nameRows: Record<string, unknown>[] = []
  const identifierRows: Record<string, unknown>[] = []
  for (const index of fresh) {
    const person = batch[index] as PreparedPerson
    const row = created.get(person.values.externalRef)
    if (!row) continue
    for (const name of person.names) nameRows.push({ personId: row.uuid, ...name })
    for (const identifier of person.identifiers ?? [])
      identifierRows.push({ personId: row.uuid, agency: access.agency, ...identifier })
    results[index] = { id: row.globalId, outcome: 'created' }
  }
  for (const chunk of inChunks(nameRows, rowsPerInsert)) await db.execute(jsonRowsInsert(personNames, chunk))
  for (const chunk of inChunks(identifierRows, rowsPerInsert))
    await db.execute(jsonRowsInsert(identifiers, chunk))
  for (const [index, person] of batch.entries()) {
    if (results[index]) continue
    try {
      const { record, outcome } = await upsertPreparedPerson(db, access, person)
      results[index] = { id: record.id, outcome }
    } catch (error) {
      if (!(error instanceof JaringError)) throw error
      results[index] = error
    }
  }
  return results as Array<UpsertedId | JaringError>
}
