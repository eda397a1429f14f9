/**
 * GraphQL reads through the front door: list filters, clearance, pagination, literal treatment of
 * hostile filter values, `record(id)` across types, and nested fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { codes, createFixtures, type Fixtures, type GraphqlAnswer, graphql } from '../records/fixtures.ts'

describe(`GraphQL queries on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let fixtures: Fixtures
  let liaison: string
  let system: string

  beforeAll(async () => {
    node = await buildTestApp()
    fixtures = await createFixtures(node.app.records)
    liaison = await node.token('liaison')
    system = await node.token('system')
  })

  afterAll(async () => {
    await node?.close()
  })

  const refs = (nodes: { externalRef: string }[] | undefined) =>
    (nodes ?? []).map((n) => n.externalRef).sort()

  async function persons(filter: Record<string, unknown>, token = system) {
    const answer = await graphql(
      node,
      token,
      'query ($filter: PersonFilter) { persons(filter: $filter, first: 100) { nodes { externalRef } } }',
      { filter },
    )
    expect(answer.errors, JSON.stringify(filter)).toBeUndefined()
    return refs(answer.data?.persons.nodes)
  }

  async function cases(filter: Record<string, unknown>, token = system) {
    const answer = await graphql(
      node,
      token,
      'query ($filter: CaseFilter) { cases(filter: $filter, first: 100) { nodes { externalRef } } }',
      { filter },
    )
    expect(answer.errors, JSON.stringify(filter)).toBeUndefined()
    return refs(answer.data?.cases.nodes)
  }

  describe('filters', () => {
    it('finds a person by name ignoring case, diacritics and order, in Latin, Thai and Han script', async () => {
      for (const name of ['Nguyen Van An', 'an NGUYEN', 'nguyễn văn', 'AN   van   NGUYEN']) {
        expect(await persons({ name }), name).toEqual(['P-NGUYEN'])
      }
      expect(await persons({ name: 'ใจดี สมชาย' })).toEqual(['P-SOMCHAI'])
      expect(await persons({ name: 'wei wang' })).toEqual(['P-WEI'])
      expect(await persons({ name: '王伟' })).toEqual(['P-WEI'])
    })

    it('finds the same person by a phone or passport written in several formats', async () => {
      for (const value of ['+66 81 234 5678', '081 234 5678', '0066-81-234-5678', '+66.81.234.5678']) {
        expect(await persons({ phone: value }), value).toEqual(['P-NGUYEN'])
        expect(await persons({ identifier: { kind: 'PHONE', value } }), value).toEqual(['P-NGUYEN'])
      }
      for (const value of ['C1234567', 'c 1234567', 'C-1234567']) {
        expect(await persons({ passport: value }), value).toEqual(['P-NGUYEN'])
      }
      const answer = await graphql(node, system, '{ persons(filter: { phone: "12" }) { nodes { id } } }')
      expect(codes(answer)).toEqual(['INVALID_IDENTIFIER'])
      expect(answer.errors?.[0]?.extensions.path).toBe('filter.phone')
      expect(JSON.stringify(answer.errors)).not.toContain('"12"')
    })

    it('looks up many identifiers in one filter, each normalised, within the reader clearance', async () => {
      const identifiers = [
        { kind: 'PHONE', value: '081 234 5678' },
        { kind: 'EMAIL', value: 'an.nguyen@example.COM' },
        { kind: 'PHONE', value: '089-999-1234' },
        { kind: 'PHONE', value: '+852 9123 4567' },
        { kind: 'PHONE', value: '+66 81 000 0000' },
        { kind: 'PASSPORT', value: 'Z 9999999' },
      ]
      expect(await persons({ identifiers })).toEqual(['P-NGUYEN', 'P-SOMCHAI', 'P-WEI'])
      // The liaison officer is not cleared for P-WEI's RED phone: the person is not found through it.
      expect(await persons({ identifiers }, liaison)).toEqual(['P-NGUYEN', 'P-SOMCHAI'])
      expect(await persons({ identifiers: [] })).toEqual([])
      const many = Array.from({ length: 1_000 }, (_, index) => ({
        kind: 'PASSPORT',
        value: `X${String(index).padStart(7, '0')}`,
      }))
      expect(
        await persons({ identifiers: [...many.slice(1), { kind: 'PHONE', value: '+66812345678' }] }),
      ).toEqual(['P-NGUYEN'])
      const tooMany = await graphql(
        node,
        system,
        'query ($filter: PersonFilter) { persons(filter: $filter) { nodes { id } } }',
        { filter: { identifiers: [...many, { kind: 'PHONE', value: '+66812345678' }] } },
      )
      expect(codes(tooMany)).toEqual(['VALIDATION_FAILED'])
      expect(tooMany.errors?.[0]?.extensions.path).toBe('filter.identifiers')
      const bad = await graphql(
        node,
        system,
        'query ($filter: PersonFilter) { persons(filter: $filter) { nodes { id } } }',
        {
          filter: {
            identifiers: [
              { kind: 'EMAIL', value: 'a@b.org' },
              { kind: 'PHONE', value: '12' },
            ],
          },
        },
      )
      expect(codes(bad)).toEqual(['INVALID_IDENTIFIER'])
      expect(bad.errors?.[0]?.extensions.path).toBe('filter.identifiers[1].value')
    })

    it('filters cases by crime category, status, country, date range and TLP', async () => {
      expect(await cases({ crimeCategories: ['ILLICIT_DRUG_TRAFFICKING'] })).toEqual(['C-2024-017'])
      expect(await cases({ statuses: ['OPEN', 'CLOSED'] })).toEqual(['C-2023-100', 'C-2024-017', 'C-RED'])
      expect(await cases({ countries: ['VN'] })).toEqual(['C-2023-100'])
      expect(await cases({ openedFrom: '2025-01-01' })).toEqual(['C-2025-001', 'C-RED'])
      expect(await cases({ openedTo: '2023-12-31' })).toEqual(['C-2023-100'])
      expect(await cases({ tlp: ['RED'] })).toEqual(['C-RED'])
      expect(await cases({ tlp: ['RED'] }, liaison)).toEqual([])
    })

    it('filters syndicates and reports', async () => {
      const syndicates = await graphql(
        node,
        system,
        '{ syndicates(filter: { name: "golden DRAGON", countries: ["MM"] }) { nodes { externalRef aliases countries } } }',
      )
      expect(syndicates.data?.syndicates.nodes).toEqual([
        { externalRef: 'S-DRAGON', aliases: ['Kim Long', 'Rồng Vàng'], countries: ['MM', 'TH', 'LA'] },
      ])
      const reports = await graphql(
        node,
        system,
        'query ($id: ID!) { intelReports(filter: { subjectId: $id, informationGradings: [TWO] }) { nodes { externalRef } } }',
        { id: fixtures.syndicates.dragon.id },
      )
      expect(refs(reports.data?.intelReports.nodes)).toEqual(['I-001'])
    })

    it('treats injection attempts in filters as literal values', async () => {
      const hostile = ["'; DROP TABLE persons; --", '%', '_', '%_%', "' OR '1'='1", '\\', 'nguyen%', 'ngu_en']
      for (const value of hostile) {
        const answer = await graphql(
          node,
          system,
          'query ($v: String) { persons(filter: { externalRef: $v }) { nodes { id } } cases(filter: { externalRef: $v }) { nodes { id } } }',
          { v: value },
        )
        expect(answer.errors, value).toBeUndefined()
        expect(answer.data?.persons.nodes, value).toEqual([])
        expect(answer.data?.cases.nodes, value).toEqual([])
      }
      expect(await persons({ name: 'ngu%' })).toEqual([])
      expect(await persons({ name: 'ngu_en' })).toEqual([])
      expect(await persons({ name: '100% under_score' })).toEqual(['P-100%_x'])
      expect(await persons({ externalRef: 'P-100%_x' })).toEqual(['P-100%_x'])
      expect(await persons({ name: 'o’brien' })).toEqual(['P-100%_x'])
      expect(await persons({ name: "O'BRIEN" })).toEqual(['P-100%_x'])
      expect(await cases({ text: "scam' OR 1=1 --" })).toEqual([])
      expect(await persons({ name: '\u202enguyen\u200b' })).toEqual(['P-NGUYEN'])
      const nul = await graphql(
        node,
        system,
        'query ($v: String) { persons(filter: { name: $v }) { nodes { id } } }',
        {
          v: 'ngu\u0000yen',
        },
      )
      expect(codes(nul)).toEqual(['VALIDATION_FAILED'])
      const after = await graphql(node, system, 'query { persons { nodes { id } } }')
      expect(after.data?.persons.nodes).toHaveLength(5)
    })
  })

  describe('clearance', () => {
    it('does not show a liaison officer (AMBER) any RED record, nested or by id', async () => {
      const query = `{
        cases(first: 10) { nodes { externalRef tlp syndicates { externalRef } persons { person { externalRef tlp } } } }
        syndicates(first: 10) { nodes { externalRef members { person { externalRef } } cases { externalRef } } }
        intelReports(first: 10) { nodes { externalRef tlp } }
      }`
      const answer = await graphql(node, liaison, query)
      expect(answer.errors).toBeUndefined()
      expect(JSON.stringify(answer.data)).not.toMatch(/RED/)
      expect(refs(answer.data?.cases.nodes)).toEqual(['C-2023-100', 'C-2024-017', 'C-2025-001'])
      const compound = answer.data?.cases.nodes.find(
        (c: { externalRef: string }) => c.externalRef === 'C-2025-001',
      )
      expect(refs(compound.persons.map((link: { person: object }) => link.person))).toEqual([
        'P-NGUYEN',
        'P-WEI',
      ])
      for (const id of [fixtures.cases.red.id, fixtures.persons.redSuspect.id, fixtures.reports.red.id]) {
        const record = await graphql(node, liaison, 'query ($id: ID!) { record(id: $id) { id } }', { id })
        expect(record.data?.record).toBeNull()
        expect(codes(record)).toEqual(['NOT_FOUND'])
      }
      const weiPhones = await graphql(
        node,
        liaison,
        'query ($id: ID!) { record(id: $id) { ... on Person { identifiers { kind tlp } } } }',
        { id: fixtures.persons.wei.id },
      )
      expect(weiPhones.data?.record.identifiers).toEqual([{ kind: 'SOCIAL_HANDLE', tlp: 'AMBER' }])
    })

    it('narrows a token clearance below the role default', async () => {
      const clear = await node.token('liaison', { clearance: 'CLEAR' })
      expect(await cases({}, clear)).toEqual(['C-2023-100'])
    })
  })

  describe('pagination', () => {
    it('refuses more than 100 per page and bad cursors with their codes', async () => {
      const big = await graphql(node, system, '{ cases(first: 101) { nodes { id } } }')
      expect(codes(big)).toEqual(['PAGE_TOO_LARGE'])
      expect(big.status).toBe(400)
      for (const after of ['nope', 'e30', 'WyJwZXJzb24iXQ', '"', 'W10=']) {
        const answer = await graphql(
          node,
          system,
          'query ($after: Cursor) { cases(after: $after) { nodes { id } } }',
          {
            after,
          },
        )
        expect(codes(answer), after).toEqual(['INVALID_CURSOR'])
        expect(answer.status).toBe(400)
      }
      const negative = await graphql(node, system, '{ persons(first: -1) { nodes { id } } }')
      expect(codes(negative)).toEqual(['VALIDATION_FAILED'])
    })

    it('walks every case and report page by page, each exactly once', async () => {
      for (const [field, all] of [
        ['cases', 4],
        ['intelReports', 2],
        ['syndicates', 2],
      ] as const) {
        const seen: string[] = []
        let after: string | null = null
        for (let page = 0; page < 10; page++) {
          const answer: GraphqlAnswer = await graphql(
            node,
            system,
            `query ($after: Cursor) { ${field}(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } peers { agency } } }`,
            { after },
          )
          const connection = answer.data?.[field]
          expect(connection.peers).toEqual([])
          seen.push(...connection.nodes.map((n: { id: string }) => n.id))
          if (!connection.pageInfo.hasNextPage) break
          after = connection.pageInfo.endCursor
        }
        expect(seen, field).toHaveLength(all)
        expect(new Set(seen).size, field).toBe(all)
      }
    })
  })

  describe('record(id)', () => {
    it('resolves each record type by its global id, with its source', async () => {
      const query = `query ($id: ID!) { record(id: $id) {
        __typename id source { agency } externalRef version tlp createdAt
        ... on Case { title openedOn closedOn }
        ... on Person { primaryName { fullName } dateOfBirth }
        ... on Syndicate { name }
        ... on IntelReport { sourceGrading subjects { __typename ... on Case { externalRef } ... on Person { externalRef } ... on Syndicate { externalRef } } }
      } }`
      const expected = [
        [fixtures.cases.closedScam, 'Case'],
        [fixtures.persons.nguyen, 'Person'],
        [fixtures.syndicates.dragon, 'Syndicate'],
        [fixtures.reports.compound, 'IntelReport'],
      ] as const
      for (const [record, typename] of expected) {
        const answer = await graphql(node, system, query, { id: record.id })
        expect(answer.errors).toBeUndefined()
        expect(answer.data?.record).toMatchObject({
          __typename: typename,
          id: record.id,
          source: { agency: 'TH-RTP' },
          externalRef: record.externalRef,
          version: 1,
        })
        expect(answer.data?.record.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      }
      const report = await graphql(node, system, query, { id: fixtures.reports.compound.id })
      expect(refs(report.data?.record.subjects)).toEqual(['C-2025-001', 'P-WEI', 'S-DRAGON'])
      const person = await graphql(node, system, query, { id: fixtures.persons.nguyen.id })
      expect(person.data?.record).toMatchObject({
        primaryName: { fullName: 'Nguyễn Văn An' },
        dateOfBirth: '1994-07',
      })
    })

    it('answers NOT_FOUND for another agency or an unknown id, INVALID_GLOBAL_ID for a malformed one', async () => {
      const query = 'query ($id: ID!) { record(id: $id) { id } }'
      for (const id of [
        fixtures.cases.compound.id.replace('TH-RTP', 'VN-MPS'),
        'TH-RTP:00000000-0000-4000-8000-000000000000',
      ]) {
        const answer = await graphql(node, system, query, { id })
        expect(answer.data?.record, id).toBeNull()
        expect(codes(answer), id).toEqual(['NOT_FOUND'])
      }
      for (const id of ['nope', 'TH-RTP:123', ':', `TH-RTP:${'a'.repeat(500)}`, "TH-RTP:1' OR '1'='1"]) {
        expect(codes(await graphql(node, system, query, { id })), id).toEqual(['INVALID_GLOBAL_ID'])
      }
    })
  })

  describe('nested fields', () => {
    it('serves a case with its persons, roles, identifiers and names; a person with cases and syndicates', async () => {
      const answer = await graphql(
        node,
        system,
        `query ($id: ID!) {
          record(id: $id) { ... on Person {
            names { kind fullName script romanised }
            identifiers { kind value normalised issuingCountry }
            cases { role case { externalRef persons { role person { externalRef } } } }
            syndicates { role syndicate { externalRef } }
            intelReports { externalRef }
          } }
        }`,
        { id: fixtures.persons.somchai.id },
      )
      expect(answer.errors).toBeUndefined()
      const person = answer.data?.record
      expect(person.names).toEqual([
        { kind: 'PRIMARY', fullName: 'สมชาย ใจดี', script: 'Thai', romanised: 'Somchai Jaidee' },
      ])
      expect(person.identifiers).toEqual([
        { kind: 'PHONE', value: '089-999-1234', normalised: '+66899991234', issuingCountry: 'TH' },
      ])
      expect(
        person.cases.map((c: { role: string; case: { externalRef: string } }) => [
          c.role,
          c.case.externalRef,
        ]),
      ).toEqual([
        ['SUSPECT', 'C-RED'],
        ['SUSPECT', 'C-2024-017'],
      ])
      expect(person.syndicates).toEqual([{ role: 'MONEY_MULE', syndicate: { externalRef: 'S-DRAGON' } }])
      expect(person.intelReports).toEqual([{ externalRef: 'I-RED' }])
    })
  })
})
