/**
 * GraphQL writes through the front door: every record type is created, read back and updated;
 * versions guard updates; creates are idempotent on externalRef; bad input is refused with a code
 * and the path of the field at fault, and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { codes, type GraphqlAnswer, graphql } from '../records/fixtures.ts'

const personFields = `id source { agency } externalRef tlp handlingCode version createdAt updatedAt
  names { kind fullName script romanised } primaryName { fullName }
  identifiers { kind value normalised issuingCountry tlp }
  dateOfBirth dateOfBirthPrecision dateOfBirthApproximate nationality gender status lastKnownCountry statusChangedOn notes`
const caseFields = `id source { agency } externalRef tlp handlingCode version title summary crimeCategory status country
  location openedOn closedOn persons { role person { externalRef } }`
const syndicateFields = `id source { agency } externalRef tlp handlingCode version name aliases status countries description
  crimeCategory members { role person { externalRef } } cases { externalRef }`
const reportFields = `id source { agency } externalRef tlp handlingCode version title body sourceGrading informationGrading
  crimeCategory reportedOn subjects { __typename ... on Case { externalRef } ... on Person { externalRef } ... on Syndicate { externalRef } }`

const mutation = (name: string, inputType: string, fields: string) =>
  `mutation ($input: ${inputType}!) { ${name}(input: $input) { ${fields} } }`

describe(`GraphQL mutations on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let system: string

  beforeAll(async () => {
    node = await buildTestApp()
    system = await node.token('system')
  })

  afterAll(async () => {
    await node?.close()
  })

  const write = (
    name: string,
    inputType: string,
    fields: string,
    input: Record<string, unknown>,
    token = system,
  ) => graphql(node, token, mutation(name, inputType, fields), { input })

  function data(answer: GraphqlAnswer, field: string) {
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined()
    return answer.data?.[field]
  }

  async function read(id: string, fields: string) {
    const answer = await graphql(
      node,
      system,
      `query ($id: ID!) { record(id: $id) { ... on Record { id } ${fields} } }`,
      {
        id,
      },
    )
    expect(answer.errors).toBeUndefined()
    return answer.data?.record
  }

  const personInput = {
    externalRef: 'M-P-1',
    tlp: 'AMBER_STRICT',
    handlingCode: 'H2',
    names: [
      { fullName: 'Trần Thị Mai', romanised: 'Tran Thi Mai' },
      { kind: 'ALIAS', fullName: 'ម៉ៃ', script: 'Khmr' },
    ],
    identifiers: [
      { kind: 'PHONE', value: '+84 912 345 678', tlp: 'RED' },
      { kind: 'NATIONAL_ID', value: '001 199 012 345', issuingCountry: 'VN' },
      { kind: 'CRYPTO_WALLET', value: '0x52908400098527886E0F7030069857D2E4169EE7' },
    ],
    dateOfBirth: '1999',
    dateOfBirthApproximate: true,
    nationality: 'VN',
    gender: 'FEMALE',
    status: 'RESCUED',
    lastKnownCountry: 'KH',
    statusChangedOn: '2025-06-30',
    notes: 'Rescued from a compound in Sihanoukville.\nRepatriation pending.',
  }

  it('creates, reads back and updates a person with names and identifiers', async () => {
    const created = data(
      await write('createPerson', 'CreatePersonInput', personFields, personInput),
      'createPerson',
    )
    expect(created).toMatchObject({
      source: { agency: 'TH-RTP' },
      externalRef: 'M-P-1',
      tlp: 'AMBER_STRICT',
      handlingCode: 'H2',
      version: 1,
      primaryName: { fullName: 'Trần Thị Mai' },
      dateOfBirth: '1999',
      dateOfBirthPrecision: 'YEAR',
      dateOfBirthApproximate: true,
      nationality: 'VN',
      gender: 'FEMALE',
      status: 'RESCUED',
      lastKnownCountry: 'KH',
      statusChangedOn: '2025-06-30',
      notes: personInput.notes,
    })
    expect(created.id).toMatch(/^TH-RTP:[0-9a-f-]{36}$/)
    expect(created.names).toEqual([
      { kind: 'PRIMARY', fullName: 'Trần Thị Mai', script: 'Latn', romanised: 'Tran Thi Mai' },
      { kind: 'ALIAS', fullName: 'ម៉ៃ', script: 'Khmr', romanised: null },
    ])
    expect(created.identifiers).toEqual(
      expect.arrayContaining([
        {
          kind: 'PHONE',
          value: '+84 912 345 678',
          normalised: '+84912345678',
          issuingCountry: 'VN',
          tlp: 'RED',
        },
        {
          kind: 'NATIONAL_ID',
          value: '001 199 012 345',
          normalised: '001199012345',
          issuingCountry: 'VN',
          tlp: 'AMBER',
        },
      ]),
    )
    expect(await read(created.id, `... on Person { ${personFields} }`)).toEqual(created)

    const updated = data(
      await write('updatePerson', 'UpdatePersonInput', personFields, {
        id: created.id,
        version: 1,
        status: 'REPATRIATED',
        nationality: null,
        dateOfBirth: '1999-04-02',
        identifiers: [{ kind: 'EMAIL', value: 'Mai@Example.VN' }],
      }),
      'updatePerson',
    )
    expect(updated).toMatchObject({
      version: 2,
      status: 'REPATRIATED',
      nationality: null,
      dateOfBirth: '1999-04-02',
      dateOfBirthPrecision: 'DAY',
      gender: 'FEMALE',
      identifiers: [{ kind: 'EMAIL', normalised: 'mai@example.vn' }],
      names: created.names,
    })
    expect(updated.createdAt).toBe(created.createdAt)
  })

  it('creates and updates a case, a syndicate and a report, each round-tripping through GraphQL', async () => {
    const person = data(
      await write('createPerson', 'CreatePersonInput', 'id', {
        externalRef: 'M-P-2',
        names: [{ fullName: 'Suspect Two' }],
      }),
      'createPerson',
    )
    const caseInput = {
      externalRef: 'M-C-1',
      tlp: 'GREEN',
      title: 'Online romance scam ring',
      summary: 'Victims in three countries.',
      crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME',
      status: 'REFERRED',
      country: 'TH',
      location: 'Bangkok',
      openedOn: '2025-02-03',
      closedOn: '2025-05-06',
      persons: [
        { personId: person.id, role: 'SUSPECT' },
        { personId: person.id, role: 'WITNESS' },
      ],
    }
    const createdCase = data(
      await write('createCase', 'CreateCaseInput', caseFields, caseInput),
      'createCase',
    )
    const { persons: _, ...caseScalars } = caseInput
    expect(createdCase).toMatchObject({ ...caseScalars, version: 1, handlingCode: 'H3' })
    expect(createdCase.persons).toHaveLength(2)
    expect(await read(createdCase.id, `... on Case { ${caseFields} }`)).toEqual(createdCase)
    const updatedCase = data(
      await write('updateCase', 'UpdateCaseInput', caseFields, {
        id: createdCase.id,
        version: 1,
        closedOn: null,
        status: 'UNDER_INVESTIGATION',
        persons: [],
      }),
      'updateCase',
    )
    expect(updatedCase).toMatchObject({
      version: 2,
      closedOn: null,
      status: 'UNDER_INVESTIGATION',
      persons: [],
    })

    const syndicateInput = {
      externalRef: 'M-S-1',
      name: 'Blue Lotus',
      aliases: ['Lotus Group'],
      status: 'ACTIVE',
      countries: ['TH', 'KH'],
      description: 'Runs call centres.',
      crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME',
      members: [{ personId: person.id, role: 'LEADER' }],
      caseIds: [createdCase.id],
    }
    const syndicate = data(
      await write('createSyndicate', 'CreateSyndicateInput', syndicateFields, syndicateInput),
      'createSyndicate',
    )
    expect(syndicate).toMatchObject({
      name: 'Blue Lotus',
      aliases: ['Lotus Group'],
      countries: ['TH', 'KH'],
      members: [{ role: 'LEADER', person: { externalRef: 'M-P-2' } }],
      cases: [{ externalRef: 'M-C-1' }],
    })
    expect(await read(syndicate.id, `... on Syndicate { ${syndicateFields} }`)).toEqual(syndicate)
    const renamed = data(
      await write('updateSyndicate', 'UpdateSyndicateInput', syndicateFields, {
        id: syndicate.id,
        version: 1,
        name: 'Blue Lotus Network',
        members: [{ personId: person.id, role: 'FACILITATOR' }],
      }),
      'updateSyndicate',
    )
    expect(renamed).toMatchObject({
      version: 2,
      name: 'Blue Lotus Network',
      members: [{ role: 'FACILITATOR' }],
    })

    const reportInput = {
      externalRef: 'M-I-1',
      tlp: 'AMBER',
      title: 'Money mules recruited on LINE',
      body: 'Accounts rented for 5,000 THB a month.',
      sourceGrading: 'C',
      informationGrading: 'THREE',
      crimeCategory: 'MONEY_LAUNDERING',
      reportedOn: '2025-07-01',
      subjectIds: [person.id, syndicate.id, createdCase.id],
    }
    const report = data(
      await write('createIntelReport', 'CreateIntelReportInput', reportFields, reportInput),
      'createIntelReport',
    )
    expect(report.subjects.map((s: { __typename: string }) => s.__typename).sort()).toEqual([
      'Case',
      'Person',
      'Syndicate',
    ])
    expect(await read(report.id, `... on IntelReport { ${reportFields} }`)).toEqual(report)
    const regraded = data(
      await write('updateIntelReport', 'UpdateIntelReportInput', reportFields, {
        id: report.id,
        version: 1,
        informationGrading: 'TWO',
        subjectIds: [person.id],
      }),
      'updateIntelReport',
    )
    expect(regraded).toMatchObject({
      version: 2,
      informationGrading: 'TWO',
      subjects: [{ externalRef: 'M-P-2' }],
    })
  })

  it('answers VERSION_CONFLICT (409) for an update at an old version, and changes nothing', async () => {
    const created = data(
      await write('createSyndicate', 'CreateSyndicateInput', 'id version', {
        externalRef: 'M-S-2',
        name: 'Conflict',
        crimeCategory: 'CYBERCRIME',
      }),
      'createSyndicate',
    )
    data(
      await write('updateSyndicate', 'UpdateSyndicateInput', 'version', {
        id: created.id,
        version: 1,
        name: 'First',
      }),
      'updateSyndicate',
    )
    const stale = await write('updateSyndicate', 'UpdateSyndicateInput', 'version', {
      id: created.id,
      version: 1,
      name: 'Second',
    })
    expect(codes(stale)).toEqual(['VERSION_CONFLICT'])
    expect(stale.status).toBe(409)
    expect(stale.errors?.[0]?.extensions).toMatchObject({ path: 'input.version', currentVersion: 2 })
    expect(await read(created.id, '... on Syndicate { name version }')).toMatchObject({
      name: 'First',
      version: 2,
    })
  })

  it('returns the existing record for a repeated create, and DUPLICATE_EXTERNAL_REF for a different one', async () => {
    const input = {
      externalRef: 'M-I-2',
      title: 'Repeated',
      body: 'Sent twice by a retrying client.',
      sourceGrading: 'F',
      informationGrading: 'SIX',
      crimeCategory: 'CYBERCRIME',
      reportedOn: '2025-01-01',
    }
    const first = data(
      await write('createIntelReport', 'CreateIntelReportInput', 'id version', input),
      'createIntelReport',
    )
    const again = data(
      await write('createIntelReport', 'CreateIntelReportInput', 'id version', input),
      'createIntelReport',
    )
    expect(again).toEqual(first)
    const different = await write('createIntelReport', 'CreateIntelReportInput', 'id', {
      ...input,
      body: 'Changed.',
    })
    expect(codes(different)).toEqual(['DUPLICATE_EXTERNAL_REF'])
    expect(different.status).toBe(409)
    const list = await graphql(
      node,
      system,
      '{ intelReports(filter: { externalRef: "M-I-2" }) { nodes { id } } }',
    )
    expect(list.data?.intelReports.nodes).toEqual([{ id: first.id }])
  })

  describe('invalid input', () => {
    const person = (overrides: Record<string, unknown>) =>
      write('createPerson', 'CreatePersonInput', 'id', {
        externalRef: 'M-BAD',
        names: [{ fullName: 'Bad Input' }],
        ...overrides,
      })

    it('refuses values the schema cannot hold, with the code and the field at fault', async () => {
      const cases: [Record<string, unknown>, string, string | undefined][] = [
        [
          { identifiers: [{ kind: 'PHONE', value: '+66 12' }] },
          'INVALID_IDENTIFIER',
          'input.identifiers[0].value',
        ],
        [
          { identifiers: [{ kind: 'IMEI', value: '490154203237519' }] },
          'INVALID_IDENTIFIER',
          'input.identifiers[0].value',
        ],
        [{ names: [{ fullName: 'A' }, { fullName: 'B' }] }, 'VALIDATION_FAILED', 'input.names'],
        [{ names: [] }, 'VALIDATION_FAILED', 'input.names'],
        [{ names: [{ fullName: 'x'.repeat(301) }] }, 'VALIDATION_FAILED', 'input.names[0].fullName'],
        [{ names: [{ fullName: '   ' }] }, 'VALIDATION_FAILED', 'input.names[0].fullName'],
        [{ names: [{ fullName: '!!!' }] }, 'VALIDATION_FAILED', 'input.names[0].fullName'],
        [{ externalRef: 'r'.repeat(201) }, 'VALIDATION_FAILED', 'input.externalRef'],
        [{ externalRef: ' padded ' }, 'VALIDATION_FAILED', 'input.externalRef'],
        [{ notes: 'n'.repeat(100_001) }, 'VALIDATION_FAILED', 'input.notes'],
        [{ handlingCode: 'H3\u0000' }, 'VALIDATION_FAILED', 'input.handlingCode'],
        [{ statusChangedOn: '2025-02-30' }, 'VALIDATION_FAILED', undefined],
        [{ dateOfBirth: '1990-1' }, 'VALIDATION_FAILED', undefined],
        [{ nationality: 'tha' }, 'VALIDATION_FAILED', undefined],
      ]
      for (const [overrides, code, path] of cases) {
        const answer = await person(overrides)
        const label = JSON.stringify(overrides).slice(0, 80)
        expect(codes(answer), label).toEqual([code])
        expect(answer.status, label).toBe(400)
        if (path) expect(answer.errors?.[0]?.extensions.path, label).toBe(path)
      }
      const list = await graphql(
        node,
        system,
        '{ persons(filter: { externalRef: "M-BAD" }) { nodes { id } } }',
      )
      expect(list.data?.persons.nodes).toEqual([])
    })

    it('refuses unknown enum values, unknown fields and wrong types before any resolver runs', async () => {
      for (const overrides of [
        { gender: 'ROBOT' },
        { unknownField: 1 },
        { names: 'Alice' },
        { dateOfBirthApproximate: 'yes' },
      ]) {
        const answer = await person(overrides)
        expect(answer.status, JSON.stringify(overrides)).toBe(400)
        expect(answer.data ?? null).toBeNull()
        expect(codes(answer).length).toBeGreaterThan(0)
        expect(
          codes(answer).every((code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'VALIDATION_FAILED'),
        ).toBe(true)
      }
    })

    it('refuses links to malformed, foreign or missing records', async () => {
      const link = (personId: string) =>
        write('createCase', 'CreateCaseInput', 'id', {
          externalRef: 'M-C-BAD',
          title: 'Bad links',
          crimeCategory: 'CYBERCRIME',
          country: 'TH',
          openedOn: '2025-01-01',
          persons: [{ personId, role: 'VICTIM' }],
        })
      const cases: [string, string][] = [
        ['not-an-id', 'INVALID_GLOBAL_ID'],
        ['VN-MPS:5f0c8a52-3b0e-4e8e-9a3f-0b6b0f6c1e11', 'FOREIGN_RECORD'],
        ['TH-RTP:5f0c8a52-3b0e-4e8e-9a3f-0b6b0f6c1e11', 'NOT_FOUND'],
      ]
      for (const [id, code] of cases) {
        const answer = await link(id)
        expect(codes(answer), id).toEqual([code])
        expect(answer.errors?.[0]?.extensions.path).toBe('input.persons[0].personId')
      }
      const closedBeforeOpened = await write('createCase', 'CreateCaseInput', 'id', {
        externalRef: 'M-C-BAD',
        title: 'Dates',
        crimeCategory: 'CYBERCRIME',
        country: 'TH',
        openedOn: '2025-01-02',
        closedOn: '2025-01-01',
      })
      expect(codes(closedBeforeOpened)).toEqual(['VALIDATION_FAILED'])
      expect(closedBeforeOpened.errors?.[0]?.extensions.path).toBe('input.closedOn')
    })

    it('does not let a writer raise a record above its own clearance, nor update what it cannot see', async () => {
      const analyst = await node.token('analyst')
      const report = {
        externalRef: 'M-I-RED',
        tlp: 'RED',
        title: 'Too high',
        body: 'An analyst is cleared to AMBER_STRICT.',
        sourceGrading: 'B',
        informationGrading: 'TWO',
        crimeCategory: 'CYBERCRIME',
        reportedOn: '2025-01-01',
      }
      const high = await write('createIntelReport', 'CreateIntelReportInput', 'id', report, analyst)
      expect(codes(high)).toEqual(['FORBIDDEN'])
      const red = data(
        await write('createIntelReport', 'CreateIntelReportInput', 'id', report),
        'createIntelReport',
      )
      const hidden = await write(
        'updateIntelReport',
        'UpdateIntelReportInput',
        'id',
        { id: red.id, version: 1, title: 'x' },
        analyst,
      )
      expect(codes(hidden)).toEqual(['NOT_FOUND'])
    })
  })
})
