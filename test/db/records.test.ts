import { eq } from 'drizzle-orm'
import { beforeEach, describe, expect, test } from 'vitest'
import {
  casePersons,
  cases,
  identifiers,
  intelReports,
  intelSubjects,
  personNames,
  persons,
  syndicateCases,
  syndicateMembers,
  syndicates,
} from '../../db/schema/index.ts'
import { testDatabaseForSuite, testDatabaseLabel } from '../support/database.ts'

const database = testDatabaseForSuite()
const db = () => database().db

beforeEach(() => database().reset())

/** The driver's error behind drizzle's wrapper: SQLSTATE and constraint name, the same on both drivers. */
async function constraintViolation(
  statement: Promise<unknown>,
): Promise<{ code: string; constraint?: string }> {
  const error = await statement.then(
    () => undefined,
    (failure: unknown) => failure,
  )
  expect(error, 'the statement should have been rejected').toBeInstanceOf(Error)
  const cause = ((error as Error).cause ?? error) as { code?: string; constraint?: string }
  return { code: String(cause.code), ...(cause.constraint ? { constraint: cause.constraint } : {}) }
}

const caseInput = {
  agency: 'TH-RTP',
  externalRef: 'TH-RTP/CCIB/2026/0117',
  tlp: 'AMBER_STRICT',
  handlingCode: 'H2',
  title: 'Call-centre fraud compound near Myawaddy',
  summary: 'Thai nationals recruited through a fake job offer, held in a compound across the border.',
  crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME',
  status: 'UNDER_INVESTIGATION',
  country: 'MM',
  location: 'Myawaddy, Kayin State',
  openedOn: '2026-03-14',
  openedMonth: '2026-03-01',
} as const

const personInput = {
  agency: 'TH-RTP',
  externalRef: 'TH-RTP/P/88231',
  tlp: 'RED',
  dateOfBirth: '1994-01-01',
  dateOfBirthPrecision: 'YEAR',
  dateOfBirthApproximate: true,
  nationality: 'TH',
  gender: 'FEMALE',
  status: 'TRAPPED',
  lastKnownCountry: 'MM',
  statusChangedOn: '2026-03-10',
  statusMonth: '2026-03-01',
  notes: 'Contacted her family from the compound.',
} as const

async function insertCase(overrides: Partial<typeof cases.$inferInsert> = {}) {
  const [row] = await db()
    .insert(cases)
    .values({ ...caseInput, ...overrides })
    .returning()
  return row!
}

async function insertPerson(overrides: Partial<typeof persons.$inferInsert> = {}) {
  const [row] = await db()
    .insert(persons)
    .values({ ...personInput, ...overrides })
    .returning()
  return row!
}

async function insertSyndicate() {
  const [row] = await db()
    .insert(syndicates)
    .values({
      agency: 'TH-RTP',
      externalRef: 'TH-RTP/S/0042',
      name: 'Golden Dragon network',
      aliases: ['金龙', 'KK Park crew'],
      countries: ['MM', 'TH', 'KH'],
      description: 'Runs recruitment, transport and the compound.',
      crimeCategory: 'TRAFFICKING_IN_PERSONS',
    })
    .returning()
  return row!
}

describe(`every record type round-trips on ${testDatabaseLabel()}`, () => {
  test('a case reads back as written, with the global id derived from agency and id', async () => {
    const written = await insertCase()
    expect(written).toMatchObject({ ...caseInput, closedOn: null, closedMonth: null, version: 1 })
    expect(written.globalId).toBe(`TH-RTP:${written.id}`)
    expect(written.createdAt).toBeInstanceOf(Date)
    const [read] = await db().select().from(cases).where(eq(cases.id, written.id))
    expect(read).toEqual(written)
  })

  test('a person with a partial, approximate date of birth and names in two scripts', async () => {
    const person = await insertPerson()
    expect(person).toMatchObject({ ...personInput, version: 1, handlingCode: 'H3' })
    expect(person.globalId).toBe(`TH-RTP:${person.id}`)
    const names: (typeof personNames.$inferInsert)[] = [
      {
        personId: person.id,
        kind: 'PRIMARY',
        fullName: 'สมศรี ใจดี',
        script: 'Thai',
        romanised: 'Somsri Jaidee',
        tokens: ['somsri', 'jaidee'],
      },
      {
        personId: person.id,
        kind: 'ALIAS',
        fullName: 'Nong Sri',
        script: 'Latn',
        romanised: null,
        tokens: ['nong', 'sri'],
      },
    ] as const
    await db()
      .insert(personNames)
      .values([...names])
    const [read] = await db().select().from(persons).where(eq(persons.id, person.id))
    expect(read).toEqual(person)
    const readNames = await db()
      .select()
      .from(personNames)
      .where(eq(personNames.personId, person.id))
      .orderBy(personNames.kind)
    expect(readNames.map(({ id: _id, ...name }) => name)).toEqual(names)
  })

  test('a person linked to a case in a role', async () => {
    const [kase, person] = [await insertCase(), await insertPerson()]
    await db().insert(casePersons).values({ caseId: kase.id, personId: person.id, role: 'PERSON_AT_RISK' })
    expect(await db().select().from(casePersons)).toEqual([
      { caseId: kase.id, personId: person.id, role: 'PERSON_AT_RISK' },
    ])
  })

  test('identifiers keep the value as given next to the normalised form', async () => {
    const person = await insertPerson()
    const written = [
      { kind: 'PHONE', value: '081 234 5678', normalised: '+66812345678', issuingCountry: 'TH' },
      { kind: 'PASSPORT', value: 'aa 1234567', normalised: 'AA1234567', issuingCountry: 'TH' },
      {
        kind: 'CRYPTO_WALLET',
        value: 'TQ5NwnGwq3Sa4eDSTKfKGfDN1mVS7pjVhT',
        normalised: 'TQ5NwnGwq3Sa4eDSTKfKGfDN1mVS7pjVhT',
        issuingCountry: null,
      },
    ] as const
    await db()
      .insert(identifiers)
      .values(
        written.map((identifier) => ({
          ...identifier,
          agency: 'TH-RTP',
          personId: person.id,
          tlp: 'AMBER' as const,
        })),
      )
    const read = await db().select().from(identifiers).where(eq(identifiers.personId, person.id))
    expect(
      read.map(({ kind, value, normalised, issuingCountry }) => ({
        kind,
        value,
        normalised,
        issuingCountry,
      })),
    ).toEqual(expect.arrayContaining([...written]))
    expect(read).toHaveLength(3)
  })

  test('a syndicate with members and linked cases', async () => {
    const [syndicate, kase, leader, mule] = [
      await insertSyndicate(),
      await insertCase(),
      await insertPerson({ externalRef: 'TH-RTP/P/1', status: 'AT_LARGE', gender: 'MALE' }),
      await insertPerson({ externalRef: 'TH-RTP/P/2', status: 'DETAINED' }),
    ]
    expect(syndicate).toMatchObject({
      status: 'ACTIVE',
      aliases: ['金龙', 'KK Park crew'],
      countries: ['MM', 'TH', 'KH'],
      version: 1,
      globalId: `TH-RTP:${syndicate.id}`,
    })
    await db()
      .insert(syndicateMembers)
      .values([
        { syndicateId: syndicate.id, personId: leader.id, role: 'LEADER' },
        { syndicateId: syndicate.id, personId: mule.id, role: 'MONEY_MULE' },
      ])
    await db().insert(syndicateCases).values({ syndicateId: syndicate.id, caseId: kase.id })
    const [read] = await db().select().from(syndicates).where(eq(syndicates.id, syndicate.id))
    expect(read).toEqual(syndicate)
    const members = await db()
      .select()
      .from(syndicateMembers)
      .where(eq(syndicateMembers.syndicateId, syndicate.id))
    expect(members).toEqual(
      expect.arrayContaining([
        { syndicateId: syndicate.id, personId: leader.id, role: 'LEADER' },
        { syndicateId: syndicate.id, personId: mule.id, role: 'MONEY_MULE' },
      ]),
    )
    expect(members).toHaveLength(2)
    expect(await db().select().from(syndicateCases)).toEqual([{ syndicateId: syndicate.id, caseId: kase.id }])
  })

  test('an intelligence report with a case, a person and a syndicate as subjects', async () => {
    const [kase, person, syndicate] = [await insertCase(), await insertPerson(), await insertSyndicate()]
    const [report] = await db()
      .insert(intelReports)
      .values({
        agency: 'TH-RTP',
        externalRef: 'TH-RTP/INT/2026/009',
        tlp: 'AMBER',
        title: 'Compound moving staff to Shwe Kokko',
        body: 'A released worker reports transfers planned for April.',
        sourceGrading: 'B',
        informationGrading: 'TWO',
        crimeCategory: 'TRAFFICKING_IN_PERSONS',
        reportedOn: '2026-03-20',
        reportedMonth: '2026-03-01',
      })
      .returning()
    expect(report).toMatchObject({ sourceGrading: 'B', informationGrading: 'TWO', version: 1 })
    expect(report!.globalId).toBe(`TH-RTP:${report!.id}`)
    await db()
      .insert(intelSubjects)
      .values([
        { reportId: report!.id, caseId: kase.id },
        { reportId: report!.id, personId: person.id },
        { reportId: report!.id, syndicateId: syndicate.id },
      ])
    const [read] = await db().select().from(intelReports).where(eq(intelReports.id, report!.id))
    expect(read).toEqual(report)
    const subjects = await db().select().from(intelSubjects).where(eq(intelSubjects.reportId, report!.id))
    expect(subjects.map(({ caseId, personId, syndicateId }) => ({ caseId, personId, syndicateId }))).toEqual(
      expect.arrayContaining([
        { caseId: kase.id, personId: null, syndicateId: null },
        { caseId: null, personId: person.id, syndicateId: null },
        { caseId: null, personId: null, syndicateId: syndicate.id },
      ]),
    )
    expect(subjects).toHaveLength(3)
  })
})

describe('the tables enforce the data model', () => {
  test('an external reference is unique per agency, and only per agency', async () => {
    await insertCase()
    expect(await constraintViolation(insertCase({ title: 'Another case, same reference' }))).toEqual({
      code: '23505',
      constraint: 'cases_agency_external_ref_key',
    })
    const elsewhere = await insertCase({ agency: 'VN-MPS' })
    expect(elsewhere.globalId).toBe(`VN-MPS:${elsewhere.id}`)
  })

  test('an intelligence subject names exactly one case, person or syndicate', async () => {
    const [kase, person] = [await insertCase(), await insertPerson()]
    const [report] = await db()
      .insert(intelReports)
      .values({
        agency: 'TH-RTP',
        externalRef: 'TH-RTP/INT/1',
        title: 'Report',
        body: 'Body',
        sourceGrading: 'F',
        informationGrading: 'SIX',
        crimeCategory: 'CYBERCRIME',
        reportedOn: '2026-01-05',
        reportedMonth: '2026-01-01',
      })
      .returning()
    const exactlyOne = { code: '23514', constraint: 'intel_subjects_exactly_one' }
    expect(
      await constraintViolation(
        db().insert(intelSubjects).values({ reportId: report!.id, caseId: kase.id, personId: person.id }),
      ),
    ).toEqual(exactlyOne)
    expect(await constraintViolation(db().insert(intelSubjects).values({ reportId: report!.id }))).toEqual(
      exactlyOne,
    )
  })

  test('a date of birth comes with its precision', async () => {
    expect(await constraintViolation(insertPerson({ dateOfBirthPrecision: null }))).toEqual({
      code: '23514',
      constraint: 'persons_dob_precision_present',
    })
  })

  test('deleting a person removes its names, identifiers and links', async () => {
    const [kase, person] = [await insertCase(), await insertPerson()]
    await db()
      .insert(personNames)
      .values({ personId: person.id, fullName: 'Somsri Jaidee', tokens: ['somsri', 'jaidee'] })
    await db().insert(identifiers).values({
      agency: 'TH-RTP',
      personId: person.id,
      kind: 'EMAIL',
      value: 'Somsri@Example.com',
      normalised: 'somsri@example.com',
    })
    await db().insert(casePersons).values({ caseId: kase.id, personId: person.id, role: 'VICTIM' })
    await db().delete(persons).where(eq(persons.id, person.id))
    expect(await db().select().from(personNames)).toEqual([])
    expect(await db().select().from(identifiers)).toEqual([])
    expect(await db().select().from(casePersons)).toEqual([])
    expect(await db().select().from(cases)).toHaveLength(1)
  })
})
