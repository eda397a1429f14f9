/**
 * The records repositories on a real database: visibility by clearance and scope, filters, keyset
 * pages, idempotent creates, versioned updates and the import's upserts.
 */
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { cases, persons } from '../../../db/schema/records.ts'
import { JaringError } from '../../../services/node/errors.ts'
import { createRecordRepositories, type RecordRepositories } from '../../../services/node/records/index.ts'
import { testDatabaseForSuite, testDatabaseLabel } from '../../support/database.ts'
import { accessOf, agency, createFixtures, type Fixtures } from './fixtures.ts'

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; path: string | undefined }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof JaringError) return { code: error.code, path: error.path }
    throw error
  }
  throw new Error('expected a coded error')
}

describe(`records repositories on ${testDatabaseLabel()}`, () => {
  const database = testDatabaseForSuite()
  let records: RecordRepositories
  let fixtures: Fixtures

  beforeAll(async () => {
    records = createRecordRepositories(database().db, { agency, country: 'TH', maxPageSize: 100 })
    fixtures = await createFixtures(records)
  })

  const ids = (page: { nodes: { externalRef: string }[] }) =>
    page.nodes.map((node) => node.externalRef).sort()

  describe('visibility', () => {
    it('shows a reader only the TLP levels up to its clearance', async () => {
      const amber = accessOf(records, 'liaison', 'AMBER')
      expect(ids(await records.cases.list(amber, {}))).toEqual(['C-2023-100', 'C-2024-017', 'C-2025-001'])
      expect(ids(await records.cases.list(accessOf(records, 'system', 'RED'), {}))).toContain('C-RED')
      expect(ids(await records.cases.list(accessOf(records, 'liaison', 'CLEAR'), {}))).toEqual(['C-2023-100'])
    })

    it('hides nested records above the clearance: persons of a case, identifiers, members, subjects', async () => {
      const amber = accessOf(records, 'liaison', 'AMBER')
      const { compound } = fixtures.cases
      const persons = (await records.cases.persons(amber, [compound.uuid])).get(compound.uuid) ?? []
      expect(persons.map((link) => link.person.externalRef).sort()).toEqual(['P-NGUYEN', 'P-WEI'])
      const identifiers = (await records.persons.identifiers(amber, [fixtures.persons.wei.uuid])).get(
        fixtures.persons.wei.uuid,
      )
      expect(identifiers?.map((identifier) => identifier.kind)).toEqual(['SOCIAL_HANDLE'])
      const members = (await records.syndicates.members(amber, [fixtures.syndicates.dragon.uuid])).get(
        fixtures.syndicates.dragon.uuid,
      )
      expect(members?.map((member) => member.role).sort()).toEqual(['LEADER', 'MONEY_MULE'])
      const subjects = await records.intelReports.subjects(amber, [fixtures.reports.compound.uuid])
      expect(
        subjects
          .get(fixtures.reports.compound.uuid)
          ?.map((subject) => subject.type)
          .sort(),
      ).toEqual(['CASE', 'PERSON', 'SYNDICATE'])
    })

    it('finds nothing by an identifier the reader may not see', async () => {
      const filter = { phone: '+852 9123 4567' }
      expect(ids(await records.persons.list(accessOf(records, 'liaison', 'AMBER'), { filter }))).toEqual([])
      expect(ids(await records.persons.list(accessOf(records, 'system', 'RED'), { filter }))).toEqual([
        'P-WEI',
      ])
    })

    it('gives the secretariat no record at all', async () => {
      const secretariat = accessOf(records, 'secretariat', 'CLEAR')
      expect((await records.cases.list(secretariat, {})).nodes).toEqual([])
      expect((await records.persons.list(secretariat, {})).nodes).toEqual([])
      expect((await records.syndicates.list(secretariat, {})).nodes).toEqual([])
      expect((await records.intelReports.list(secretariat, {})).nodes).toEqual([])
      expect(await records.record(secretariat, fixtures.persons.percent.id)).toBeNull()
    })

    it('reads a record by global id, and answers null for another agency, an unknown id or no clearance', async () => {
      const red = accessOf(records)
      expect((await records.record(red, fixtures.syndicates.red.id))?.type).toBe('SYNDICATE')
      expect(
        await records.record(accessOf(records, 'liaison', 'AMBER'), fixtures.syndicates.red.id),
      ).toBeNull()
      expect(await records.record(red, fixtures.cases.compound.id.replace(agency, 'VN-MPS'))).toBeNull()
      expect(await records.record(red, `${agency}:00000000-0000-4000-8000-000000000000`)).toBeNull()
      for (const bad of [
        '',
        'TH-RTP',
        'TH-RTP:not-a-uuid',
        'th-rtp:00000000-0000-4000-8000-000000000000',
        "TH-RTP:' OR 1=1 --",
      ]) {
        expect(await codeOf(records.record(red, bad))).toEqual({ code: 'INVALID_GLOBAL_ID', path: 'id' })
      }
    })
  })

  describe('filters', () => {
    const system = () => accessOf(records)

    it('searches names ignoring case, diacritics and the order of the parts, in any script', async () => {
      for (const name of ['nguyen van an', 'AN NGUYỄN', 'Văn', 'anh nguyen', 'nguyễn']) {
        expect(ids(await records.persons.list(system(), { filter: { name } })), name).toEqual(['P-NGUYEN'])
      }
      expect(ids(await records.persons.list(system(), { filter: { name: 'jaidee somchai' } }))).toEqual([
        'P-SOMCHAI',
      ])
      expect(ids(await records.persons.list(system(), { filter: { name: 'สมชาย' } }))).toEqual(['P-SOMCHAI'])
      expect(ids(await records.persons.list(system(), { filter: { name: '王伟' } }))).toEqual(['P-WEI'])
      expect(ids(await records.persons.list(system(), { filter: { name: 'nguyen somchai' } }))).toEqual([])
    })

    it('looks identifiers up in any common format', async () => {
      for (const value of [
        '+66 81 234 5678',
        '081-234-5678',
        '0066812345678',
        '+66812345678',
        '(081) 234 5678',
      ]) {
        const page = await records.persons.list(system(), {
          filter: { identifier: { kind: 'PHONE', value } },
        })
        expect(ids(page), value).toEqual(['P-NGUYEN'])
      }
      expect(ids(await records.persons.list(system(), { filter: { passport: 'C 1234567' } }))).toEqual([
        'P-NGUYEN',
      ])
      const email = { identifier: { kind: 'EMAIL' as const, value: ' an.nguyen@EXAMPLE.com ' } }
      expect(ids(await records.persons.list(system(), { filter: email }))).toEqual(['P-NGUYEN'])
      const handle = { identifier: { kind: 'SOCIAL_HANDLE' as const, value: 'https://t.me/boss_88' } }
      expect(ids(await records.persons.list(system(), { filter: handle }))).toEqual(['P-WEI'])
    })

    it('refuses an identifier that is not valid for its kind, naming the filter field', async () => {
      expect(await codeOf(records.persons.list(system(), { filter: { phone: 'call me' } }))).toEqual({
        code: 'INVALID_IDENTIFIER',
        path: 'filter.phone',
      })
    })

    it('filters cases by category, status, country, date range and TLP', async () => {
      const list = (filter: object) => records.cases.list(system(), { filter }).then(ids)
      expect(await list({ crimeCategories: ['TRAFFICKING_IN_PERSONS', 'MONEY_LAUNDERING'] })).toEqual([
        'C-2025-001',
        'C-RED',
      ])
      expect(await list({ statuses: ['CLOSED'] })).toEqual(['C-2023-100'])
      expect(await list({ countries: ['VN'] })).toEqual(['C-2023-100'])
      expect(await list({ openedFrom: '2024-11-02', openedTo: '2025-02-01' })).toEqual([
        'C-2024-017',
        'C-RED',
      ])
      expect(await list({ tlp: ['GREEN', 'CLEAR'] })).toEqual(['C-2023-100', 'C-2024-017'])
      expect(await list({ text: 'MYAWADDY scam' })).toEqual(['C-2025-001'])
      expect(await list({ text: 'da nang' })).toEqual(['C-2023-100'])
      expect(await list({ crimeCategories: [] })).toHaveLength(4)
    })

    it('filters persons by nationality, status, role and TLP; syndicates and reports by theirs', async () => {
      expect(ids(await records.persons.list(system(), { filter: { nationalities: ['VN', 'CN'] } }))).toEqual([
        'P-NGUYEN',
        'P-WEI',
      ])
      expect(ids(await records.persons.list(system(), { filter: { statuses: ['TRAPPED'] } }))).toEqual([
        'P-NGUYEN',
      ])
      expect(ids(await records.persons.list(system(), { filter: { roles: ['WITNESS'] } }))).toEqual([
        'P-NGUYEN',
      ])
      expect(ids(await records.syndicates.list(system(), { filter: { countries: ['LA'] } }))).toEqual([
        'S-DRAGON',
      ])
      expect(ids(await records.syndicates.list(system(), { filter: { name: 'rong vang' } }))).toEqual([
        'S-DRAGON',
      ])
      expect(ids(await records.syndicates.list(system(), { filter: { statuses: ['DISRUPTED'] } }))).toEqual([
        'S-RED',
      ])
      const reports = (filter: object) => records.intelReports.list(system(), { filter }).then(ids)
      expect(await reports({ sourceGradings: ['A'] })).toEqual(['I-RED'])
      expect(await reports({ reportedFrom: '2025-03-01' })).toEqual(['I-001'])
      expect(await reports({ subjectId: fixtures.persons.somchai.id })).toEqual(['I-RED'])
      expect(await reports({ subjectKinds: ['SYNDICATE'] })).toEqual(['I-001'])
      expect(await reports({ subjectId: fixtures.persons.somchai.id.replace(agency, 'VN-MPS') })).toEqual([])
    })

    it('treats %, _, quotes and SQL in filters as plain characters', async () => {
      const names = (name: string) => records.persons.list(system(), { filter: { name } }).then(ids)
      expect(await names('100%')).toEqual(['P-100%_x'])
      expect(await names('under_score')).toEqual(['P-100%_x'])
      expect(await names("o'brien")).toEqual(['P-100%_x'])
      expect(await codeOf(names('%'))).toEqual({ code: 'VALIDATION_FAILED', path: 'filter.name' })
      expect(await names("'; DROP TABLE persons; --")).toEqual([])
      expect(ids(await records.persons.list(system(), { filter: { externalRef: 'P-100%_x' } }))).toEqual([
        'P-100%_x',
      ])
      expect(ids(await records.persons.list(system(), { filter: { externalRef: 'P-%' } }))).toEqual([])
      expect(ids(await records.persons.list(system(), { filter: { externalRef: 'P-___' } }))).toEqual([])
      expect(ids(await records.cases.list(system(), { filter: { text: '100% _' } }))).toEqual([])
      expect(
        await codeOf(records.persons.list(system(), { filter: { externalRef: 'a\u0000b' } })),
      ).toMatchObject({
        code: 'VALIDATION_FAILED',
      })
      expect((await records.persons.list(system(), {})).nodes.length).toBe(5)
    })
  })

  describe('pages', () => {
    it('walks every row exactly once, whatever the page size', async () => {
      const access = accessOf(records)
      for (const first of [1, 2, 3, 100]) {
        const seen: string[] = []
        let after: string | null = null
        for (let pages = 0; pages < 20; pages++) {
          const page: Awaited<ReturnType<typeof records.persons.list>> = await records.persons.list(access, {
            first,
            after,
          })
          seen.push(...page.nodes.map((node) => node.externalRef))
          if (!page.pageInfo.hasNextPage) break
          after = page.pageInfo.endCursor
        }
        expect(seen.sort(), `first ${first}`).toEqual(['P-100%_x', 'P-NGUYEN', 'P-RED', 'P-SOMCHAI', 'P-WEI'])
      }
    })

    it('refuses a page over the limit, an empty page and any cursor it did not issue', async () => {
      const access = accessOf(records)
      expect(await codeOf(records.cases.list(access, { first: 101 }))).toEqual({
        code: 'PAGE_TOO_LARGE',
        path: 'first',
      })
      expect(await codeOf(records.cases.list(access, { first: 0 }))).toMatchObject({
        code: 'VALIDATION_FAILED',
      })
      const page = await records.cases.list(access, { first: 1 })
      const personCursor = (await records.persons.list(access, { first: 1 })).pageInfo.endCursor as string
      const forged = Buffer.from(JSON.stringify(['case', '2025-02-30', fixtures.cases.red.uuid])).toString(
        'base64url',
      )
      const injected = Buffer.from(
        JSON.stringify(['case', "2025-01-01'::date) OR (1=1", fixtures.cases.red.uuid]),
      ).toString('base64url')
      for (const after of [
        '',
        'abc',
        '!!!',
        personCursor,
        forged,
        injected,
        `${page.pageInfo.endCursor}=`,
        'x'.repeat(600),
      ]) {
        expect(await codeOf(records.cases.list(access, { after })), after).toEqual({
          code: 'INVALID_CURSOR',
          path: 'after',
        })
      }
    })
  })

  describe('writes', () => {
    const system = () => accessOf(records)

    it('stores partial dates of birth with their precision, and month columns', async () => {
      expect(fixtures.persons.nguyen).toMatchObject({ dateOfBirth: '1994-07', dateOfBirthPrecision: 'MONTH' })
      expect(fixtures.persons.somchai).toMatchObject({ dateOfBirth: '1980', dateOfBirthPrecision: 'YEAR' })
      const person = await records.persons.create(system(), {
        externalRef: 'P-DOB',
        names: [{ fullName: 'Day Precise' }],
        dateOfBirth: '2000-02-29',
        statusChangedOn: '2025-04-17',
      })
      expect(person).toMatchObject({ dateOfBirth: '2000-02-29', dateOfBirthPrecision: 'DAY' })
      const [stored] = await database()
        .db.select({ dateOfBirth: persons.dateOfBirth, statusMonth: persons.statusMonth })
        .from(persons)
        .where(eq(persons.id, person.uuid))
      expect(stored).toEqual({ dateOfBirth: '2000-02-29', statusMonth: '2025-04-01' })
      const [opened] = await database()
        .db.select({ openedMonth: cases.openedMonth, closedMonth: cases.closedMonth })
        .from(cases)
        .where(eq(cases.id, fixtures.cases.closedScam.uuid))
      expect(opened).toEqual({ openedMonth: '2023-01-01', closedMonth: '2023-09-01' })
      for (const dateOfBirth of ['2001-02-29', '1990-13', '90', '1990/01/01', '3000-01-01']) {
        const input = { externalRef: `P-BAD-${dateOfBirth}`, names: [{ fullName: 'X' }], dateOfBirth }
        expect(await codeOf(records.persons.create(system(), input)), dateOfBirth).toEqual({
          code: 'VALIDATION_FAILED',
          path: 'dateOfBirth',
        })
      }
    })

    it('is idempotent on externalRef: the same input returns the record, a different one is refused', async () => {
      const input = {
        externalRef: 'C-IDEMPOTENT',
        title: 'Twice',
        crimeCategory: 'CYBERCRIME' as const,
        country: 'TH',
        openedOn: '2025-05-01',
        persons: [{ personId: fixtures.persons.wei.id, role: 'SUSPECT' as const }],
      }
      const first = await records.cases.create(system(), input)
      const again = await records.cases.create(system(), { ...input })
      expect(again.id).toBe(first.id)
      expect(again.version).toBe(1)
      expect(await codeOf(records.cases.create(system(), { ...input, title: 'Different' }))).toEqual({
        code: 'DUPLICATE_EXTERNAL_REF',
        path: 'externalRef',
      })
      expect(await codeOf(records.cases.create(system(), { ...input, persons: [] }))).toMatchObject({
        code: 'DUPLICATE_EXTERNAL_REF',
      })
    })

    it('updates at the quoted version only', async () => {
      const created = await records.syndicates.create(system(), {
        externalRef: 'S-VERSIONED',
        name: 'Versioned',
        crimeCategory: 'CYBERCRIME',
      })
      const updated = await records.syndicates.update(system(), {
        id: created.id,
        version: 1,
        status: 'DISMANTLED',
      })
      expect(updated).toMatchObject({ version: 2, status: 'DISMANTLED', name: 'Versioned' })
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime())
      expect(
        await codeOf(records.syndicates.update(system(), { id: created.id, version: 1, name: 'Lost' })),
      ).toEqual({
        code: 'VERSION_CONFLICT',
        path: 'version',
      })
      const concurrent = await Promise.allSettled([
        records.syndicates.update(system(), { id: created.id, version: 2, name: 'A' }),
        records.syndicates.update(system(), { id: created.id, version: 2, name: 'B' }),
      ])
      expect(concurrent.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    })

    it('links only existing records of this agency that the writer may see', async () => {
      const base = {
        externalRef: 'C-LINKS',
        title: 'Links',
        crimeCategory: 'CYBERCRIME' as const,
        country: 'TH',
        openedOn: '2025-01-01',
      }
      const foreign = fixtures.persons.nguyen.id.replace(agency, 'VN-MPS')
      expect(
        await codeOf(
          records.cases.create(system(), { ...base, persons: [{ personId: foreign, role: 'VICTIM' }] }),
        ),
      ).toEqual({
        code: 'FOREIGN_RECORD',
        path: 'persons[0].personId',
      })
      const missing = `${agency}:00000000-0000-4000-8000-000000000000`
      expect(
        await codeOf(
          records.cases.create(system(), { ...base, persons: [{ personId: missing, role: 'VICTIM' }] }),
        ),
      ).toEqual({
        code: 'NOT_FOUND',
        path: 'persons[0].personId',
      })
      expect((await records.cases.list(system(), { filter: { externalRef: 'C-LINKS' } })).nodes).toEqual([])
      const analyst = accessOf(records, 'analyst', 'AMBER_STRICT')
      const report = {
        externalRef: 'I-LINKS',
        title: 'Links',
        body: 'About a RED case',
        sourceGrading: 'C' as const,
        informationGrading: 'THREE' as const,
        crimeCategory: 'MONEY_LAUNDERING' as const,
        reportedOn: '2025-03-01',
        subjectIds: [fixtures.persons.nguyen.id, fixtures.cases.red.id],
      }
      expect(await codeOf(records.intelReports.create(analyst, report))).toEqual({
        code: 'NOT_FOUND',
        path: 'subjectIds[1]',
      })
      expect(
        await codeOf(records.intelReports.create(analyst, { ...report, tlp: 'RED', subjectIds: [] })),
      ).toEqual({
        code: 'FORBIDDEN',
        path: 'tlp',
      })
    })

    it('upserts by externalRef inside one transaction: created, unchanged, updated, and all or nothing', async () => {
      const input = {
        externalRef: 'P-IMPORT',
        names: [{ fullName: 'Imported Person' }],
        identifiers: [{ kind: 'PHONE' as const, value: '0812223333' }],
      }
      const outcome = (records: RecordRepositories, value: typeof input) =>
        records.persons.upsertByExternalRef(system(), value).then((result) => result.outcome)
      expect(await records.transaction((tx) => outcome(tx, input))).toBe('created')
      expect(
        await records.transaction((tx) =>
          outcome(tx, { ...input, identifiers: [{ kind: 'PHONE', value: '+66 81 222 3333' }] }),
        ),
      ).toBe('unchanged')
      expect(
        await records.transaction((tx) => outcome(tx, { ...input, names: [{ fullName: 'Renamed Person' }] })),
      ).toBe('updated')
      const failed = records.transaction(async (tx) => {
        await tx.cases.upsertByExternalRef(system(), {
          externalRef: 'C-HALF',
          title: 'Half written',
          crimeCategory: 'CYBERCRIME',
          country: 'TH',
          openedOn: '2025-01-01',
        })
        await tx.persons.upsertByExternalRef(system(), {
          ...input,
          identifiers: [{ kind: 'PHONE', value: 'nope' }],
        })
      })
      expect(await codeOf(failed)).toEqual({ code: 'INVALID_IDENTIFIER', path: 'identifiers[0].value' })
      expect((await records.cases.list(system(), { filter: { externalRef: 'C-HALF' } })).nodes).toEqual([])
      const person = (await records.persons.list(system(), { filter: { externalRef: 'P-IMPORT' } })).nodes[0]
      expect(person?.version).toBe(2)
    })
  })
})
