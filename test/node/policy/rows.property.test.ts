/**
 * Property (a) of the policy issue: for random policies, the SQL row filter selects exactly the rows
 * the independent in-memory reference evaluator selects, over random records in a real database
 * (PGlite, or PostgreSQL with TEST_DATABASE_URL). The records are inserted once; 1,000 random
 * policies are then compiled, decided and run against them.
 */
import { randomUUID } from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  casePersons,
  cases,
  identifiers,
  intelReports,
  persons,
  syndicates,
} from '../../../db/schema/records.ts'
import {
  type CrimeCategory,
  crimeCategories,
  type IdentifierKind,
  identifierKinds,
  type PersonRole,
  personRoles,
  type Tlp,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import { compilePolicy } from '../../../services/node/policy/compile.ts'
import { decide } from '../../../services/node/policy/decide.ts'
import { type PolicyResource, policyResources } from '../../../services/node/policy/resources.ts'
import { type ReferenceRow, rowFilterToSql, rowMatches } from '../../../services/node/policy/rows.ts'
import { testDatabaseForSuite } from '../../support/database.ts'
import { agreement, policyDocument } from './documents.ts'

const agency = 'TH-RTP'
const handlingCodes = ['H1', 'H2', 'H3', 'H4', 'H5', 'h3', 'H3-X'] as const
const random = (seed: number) => {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}
const next = random(20_260_601)
const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!

interface Stored extends ReferenceRow {
  id: string
}

/** A few hundred records with every combination of the attributes the filters read. */
function generateRecords() {
  const caseRows = Array.from({ length: 60 }, (_, index) => ({
    id: randomUUID() as string,
    agency,
    externalRef: `C-${index}`,
    title: `Case ${index}`,
    crimeCategory: pick(crimeCategories),
    country: 'TH',
    openedOn: '2026-01-15',
    openedMonth: '2026-01-01',
    tlp: pick(tlpLevels),
    handlingCode: pick(handlingCodes),
  }))
  const personRows = Array.from({ length: 150 }, (_, index) => ({
    id: randomUUID() as string,
    agency,
    externalRef: `P-${index}`,
    tlp: pick(tlpLevels),
    handlingCode: pick(handlingCodes),
  }))
  const links = new Map<string, { caseId: string; personId: string; role: PersonRole }>()
  for (const person of personRows) {
    const count = Math.floor(next() * 4)
    for (let i = 0; i < count; i++) {
      const link = { caseId: pick(caseRows).id, personId: person.id, role: pick(personRoles) }
      links.set(`${link.caseId}/${link.personId}/${link.role}`, link)
    }
  }
  const identifierRows = Array.from({ length: 250 }, (_, index) => ({
    agency,
    personId: pick(personRows).id,
    kind: pick(identifierKinds),
    value: `value-${index}`,
    normalised: `value-${index}`,
    tlp: pick(tlpLevels),
  }))
  const syndicateRows = Array.from({ length: 40 }, (_, index) => ({
    agency,
    externalRef: `S-${index}`,
    name: `Syndicate ${index}`,
    crimeCategory: pick(crimeCategories),
    tlp: pick(tlpLevels),
    handlingCode: pick(handlingCodes),
  }))
  const intelRows = Array.from({ length: 60 }, (_, index) => ({
    agency,
    externalRef: `I-${index}`,
    title: `Report ${index}`,
    body: 'Body',
    sourceGrading: 'B' as const,
    informationGrading: 'TWO' as const,
    crimeCategory: pick(crimeCategories),
    reportedOn: '2026-02-10',
    reportedMonth: '2026-02-01',
    tlp: pick(tlpLevels),
    handlingCode: pick(handlingCodes),
  }))
  return { caseRows, personRows, links: [...links.values()], identifierRows, syndicateRows, intelRows }
}

const subset = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 })
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 })

const rowsOf = (names: readonly ('crimeCategories' | 'personRoles' | 'handlingCodes')[]) =>
  fc.record(
    {
      tlpCeiling: fc.constantFrom(...tlpLevels),
      ...(names.includes('crimeCategories') ? { crimeCategories: optional(subset(crimeCategories)) } : {}),
      ...(names.includes('personRoles') ? { personRoles: optional(subset(personRoles)) } : {}),
      ...(names.includes('handlingCodes') ? { handlingCodes: optional(subset(handlingCodes)) } : {}),
    },
    { requiredKeys: [] },
  )

/** A random agreement's resources: each resource present or not, with random row filters. */
const randomResources = fc.record(
  {
    cases: fc.record({ rows: rowsOf(['crimeCategories', 'handlingCodes']) }),
    persons: fc.record({
      rows: rowsOf(['personRoles', 'crimeCategories', 'handlingCodes']),
      hitOnly: fc.boolean(),
    }),
    identifiers: fc.record({
      rows: rowsOf([]),
      kinds: fc
        .subarray([...identifierKinds], { minLength: 1 })
        .chain((kinds) =>
          fc.tuple(
            ...kinds.map((kind) => fc.constantFrom('allow', 'mask').map((rule) => [kind, rule] as const)),
          ),
        )
        .map((entries) => Object.fromEntries(entries)),
    }),
    syndicates: fc.record({ rows: rowsOf(['crimeCategories', 'handlingCodes']) }),
    intelReports: fc.record({ rows: rowsOf(['crimeCategories', 'handlingCodes']) }),
  },
  { requiredKeys: [] },
)

/** JSON drops the `undefined` left by optional filters, as a YAML file would not have them. */
const withoutUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value))

describe('row filters: SQL against the in-memory reference evaluator', () => {
  const database = testDatabaseForSuite()
  const data = generateRecords()
  const reference: Record<PolicyResource, Stored[]> = {
    cases: [],
    persons: [],
    identifiers: [],
    syndicates: [],
    intelReports: [],
  }
  const tables = { cases, persons, identifiers, syndicates, intelReports }

  async function insertRecords() {
    const { db } = database()
    await db.insert(cases).values(data.caseRows)
    await db.insert(persons).values(data.personRows)
    await db.insert(casePersons).values(data.links)
    const storedIdentifiers = await db.insert(identifiers).values(data.identifierRows).returning()
    const storedSyndicates = await db.insert(syndicates).values(data.syndicateRows).returning()
    const storedReports = await db.insert(intelReports).values(data.intelRows).returning()
    const categoryOfCase = new Map(data.caseRows.map((row) => [row.id, row.crimeCategory]))
    reference.cases = data.caseRows.map(({ id, tlp, handlingCode, crimeCategory }) => ({
      id,
      tlp,
      handlingCode,
      crimeCategory,
    }))
    reference.persons = data.personRows.map(({ id, tlp, handlingCode }) => ({
      id,
      tlp,
      handlingCode,
      caseLinks: data.links
        .filter((link) => link.personId === id)
        .map((link) => ({
          role: link.role,
          crimeCategory: categoryOfCase.get(link.caseId) as CrimeCategory,
        })),
    }))
    reference.identifiers = storedIdentifiers.map(({ id, tlp, kind }) => ({
      id,
      tlp: tlp as Tlp,
      kind: kind as IdentifierKind,
    }))
    reference.syndicates = storedSyndicates.map(({ id, tlp, handlingCode, crimeCategory }) => ({
      id,
      tlp: tlp as Tlp,
      handlingCode,
      crimeCategory: crimeCategory as CrimeCategory,
    }))
    reference.intelReports = storedReports.map(({ id, tlp, handlingCode, crimeCategory }) => ({
      id,
      tlp: tlp as Tlp,
      handlingCode,
      crimeCategory: crimeCategory as CrimeCategory,
    }))
  }

  async function selectedIds(resource: PolicyResource, condition: ReturnType<typeof rowFilterToSql>) {
    const table = tables[resource]
    const rows = await database().db.select({ id: table.id }).from(table).where(condition)
    return rows.map((row) => row.id).sort()
  }

  /** One round trip per policy: the five selections in one UNION ALL. */
  async function selectedIdsOfEveryResource(condition: (resource: PolicyResource) => SQL) {
    const { db } = database()
    const [first, ...rest] = policyResources.map((resource) =>
      db
        .select({ resource: sql<string>`${resource}`.as('resource'), id: tables[resource].id })
        .from(tables[resource])
        .where(condition(resource)),
    )
    const rows = await rest.reduce<typeof first>(
      (union, select) => union!.unionAll(select) as typeof first,
      first,
    )!
    const ids = Object.fromEntries(policyResources.map((resource) => [resource, [] as string[]]))
    for (const row of rows) ids[row.resource]!.push(row.id)
    for (const list of Object.values(ids)) list.sort()
    return ids as Record<PolicyResource, string[]>
  }

  it('selects exactly the rows the reference evaluator selects, for 1,000 random policies', async () => {
    await insertRecords()
    const at = new Date('2026-06-01T00:00:00Z')
    let nonEmptySelections = 0
    let partialSelections = 0
    await fc.assert(
      fc.asyncProperty(randomResources, async (resources) => {
        const policy = compilePolicy(policyDocument([agreement({ resources: withoutUndefined(resources) })]))
        const decision = decide(policy, { asker: 'HK-HKPF', purpose: 'RESCUE', at, roles: {} })
        const actual = await selectedIdsOfEveryResource((resource) =>
          rowFilterToSql(resource, decision.resources[resource].rows),
        )
        for (const resource of policyResources) {
          const filter = decision.resources[resource].rows
          const expected = reference[resource]
            .filter((row) => rowMatches(resource, filter, row))
            .map((row) => row.id)
            .sort()
          expect(actual[resource], `${resource} ${JSON.stringify(filter)}`).toEqual(expected)
          if (expected.length > 0) nonEmptySelections++
          if (expected.length > 0 && expected.length < reference[resource].length) partialSelections++
        }
      }),
      { numRuns: 1000 },
    )
    // The generated filters must exercise the SQL: selections that are neither everything nor nothing.
    expect(nonEmptySelections).toBeGreaterThan(1000)
    expect(partialSelections).toBeGreaterThan(1000)
  }, 120_000)

  it('compiles against an aliased table, as a repository joining persons twice would use it', async () => {
    const person = alias(persons, 'asker_view')
    const filter = { tlpCeiling: 'AMBER' as const, personRoles: ['VICTIM' as const], handlingCodes: ['H3'] }
    const rows = await database()
      .db.select({ id: person.id })
      .from(person)
      .where(rowFilterToSql('persons', filter, person))
    const expected = reference.persons
      .filter((row) => rowMatches('persons', filter, row))
      .map((row) => row.id)
    expect(rows.map((row) => row.id).sort()).toEqual(expected.sort())
    expect(expected.length).toBeGreaterThan(0)
  })

  it('selects nothing for a denied resource or an empty list of identifier kinds, everything for no list', async () => {
    expect(await selectedIds('cases', rowFilterToSql('cases', 'deny'))).toEqual([])
    expect(
      await selectedIds(
        'identifiers',
        rowFilterToSql('identifiers', { tlpCeiling: 'RED', identifierKinds: [] }),
      ),
    ).toEqual([])
    expect(await selectedIds('identifiers', rowFilterToSql('identifiers', { tlpCeiling: 'RED' }))).toEqual(
      reference.identifiers.map((row) => row.id).sort(),
    )
  })
})
