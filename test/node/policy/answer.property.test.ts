/**
 * Property (b) at the front door: for random policies, the raw bytes of a GraphQL answer to a peer
 * hold no value of a record the row filters withhold, and no value a field rule withholds of a
 * record they release (masked values nothing beyond their kept suffix, generalised dates nothing
 * beyond their year); what the rules allow is there. Every value is a distinctive token, so a
 * token found in the bytes is a leak. The expectations are worked out from the policy document
 * with the reference evaluator, not from the node's decision.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify as toYaml } from 'yaml'
import {
  type CrimeCategory,
  crimeCategories,
  type IdentifierKind,
  type PersonRole,
  personRoles,
  type Tlp,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import type { Principal } from '../../../services/node/auth/principal.ts'
import type { RowFilter } from '../../../services/node/policy/compile.ts'
import { type PolicyResource, resourceModels } from '../../../services/node/policy/resources.ts'
import { type ReferenceRow, rowMatches } from '../../../services/node/policy/rows.ts'
import { agreement, policyDocument } from './documents.ts'
import { buildPeerViewApp, type PeerViewApp } from './peer-app.ts'

let sequence = 0
/** Same length, unique, never a part of another token. */
const token = () => `tk${String(sequence++).padStart(4, '0')}q${randomBytes(5).toString('hex')}`

const loader: Principal = {
  kind: 'system',
  agency: 'TH-RTP',
  subject: 'loader',
  roles: ['system'],
  scopes: new Set([
    'cases:read',
    'cases:write',
    'persons:read',
    'persons:write',
    'syndicates:write',
    'intel:write',
  ]),
  clearance: 'RED',
  tokenId: 'loader',
}

interface Stored {
  resource: PolicyResource
  reference: ReferenceRow
  /** The record's distinctive values by governed field (identifiers: `value`, `normalised`). */
  values: Record<string, string[]>
  /** Identifiers: the index of their person in `stored.persons`. */
  person?: number
}

const handling = ['H1', 'H2', 'H3', 'H4', 'H5'] as const

async function storeRecords(node: PeerViewApp) {
  const records = node.app.records
  const access = records.access(loader)
  const stored: Record<'cases' | 'persons' | 'identifiers' | 'syndicates' | 'intelReports', Stored[]> = {
    cases: [],
    persons: [],
    identifiers: [],
    syndicates: [],
    intelReports: [],
  }
  const caseSpecs: [CrimeCategory, Tlp, string][] = [
    ['TRAFFICKING_IN_PERSONS', 'AMBER', 'H2'],
    ['CYBERCRIME', 'GREEN', 'H1'],
    ['ILLICIT_DRUG_TRAFFICKING', 'RED', 'H3'],
    ['MONEY_LAUNDERING', 'CLEAR', 'H5'],
  ]
  const personSpecs: [Tlp, string, [number, PersonRole][]][] = [
    ['GREEN', 'H1', [[0, 'PERSON_AT_RISK']]],
    [
      'AMBER',
      'H2',
      [
        [0, 'SUSPECT'],
        [1, 'VICTIM'],
      ],
    ],
    ['AMBER_STRICT', 'H3', [[2, 'WITNESS']]],
    ['RED', 'H1', [[1, 'PERSON_AT_RISK']]],
    ['CLEAR', 'H5', []],
    ['GREEN', 'H4', [[3, 'VICTIM']]],
  ]
  const identifierTlps: Tlp[] = ['GREEN', 'AMBER', 'RED', 'CLEAR']
  const caseLinks: { personId: string; role: PersonRole }[][] = caseSpecs.map(() => [])
  for (const [index, [tlp, handlingCode, links]] of personSpecs.entries()) {
    const names = [token(), token()]
    const notes = token()
    const dateOfBirth = `19${50 + index}-0${index + 1}-2${index}`
    const statusChangedOn = `2005-0${index + 1}-0${index + 1}`
    const email = `${token()}@example.org`
    const account = `ACCT${String(sequence++).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`
    const person = await records.persons.create(access, {
      externalRef: `P-${index}`,
      tlp,
      handlingCode,
      names: [
        { kind: 'PRIMARY', fullName: names[0]!, script: 'Latn' },
        { kind: 'ALIAS', fullName: names[1]!, script: 'Latn' },
      ],
      dateOfBirth,
      statusChangedOn,
      notes,
      identifiers: [
        { kind: 'EMAIL', value: email, tlp: identifierTlps[index % 4]! },
        { kind: 'BANK_ACCOUNT', value: account, tlp: identifierTlps[(index + 1) % 4]! },
      ],
    })
    for (const [caseIndex, role] of links) caseLinks[caseIndex]!.push({ personId: person.id, role })
    const personIndex = stored.persons.length
    stored.persons.push({
      resource: 'persons',
      reference: {
        tlp,
        handlingCode,
        caseLinks: links.map(([caseIndex, role]) => ({ role, crimeCategory: caseSpecs[caseIndex]![0] })),
      },
      values: { names, notes: [notes], dateOfBirth: [dateOfBirth], statusChangedOn: [statusChangedOn] },
    })
    const identifiers = (await records.persons.identifiers(access, [person.uuid])).get(person.uuid) ?? []
    expect(identifiers).toHaveLength(2)
    for (const identifier of identifiers) {
      stored.identifiers.push({
        resource: 'identifiers',
        reference: { tlp: identifier.tlp, kind: identifier.kind },
        values: { value: [identifier.value], normalised: [identifier.normalised] },
        person: personIndex,
      })
    }
  }
  const caseIds: string[] = []
  for (const [index, [crimeCategory, tlp, handlingCode]] of caseSpecs.entries()) {
    const values = { title: token(), summary: token(), location: token() }
    const closedOn = index % 2 === 0 ? `2004-0${index + 1}-1${index}` : null
    const created = await records.cases.create(access, {
      externalRef: `C-${index}`,
      crimeCategory,
      tlp,
      handlingCode,
      country: 'TH',
      openedOn: '2003-03-03',
      closedOn,
      persons: caseLinks[index]!,
      ...values,
    })
    caseIds.push(created.id)
    stored.cases.push({
      resource: 'cases',
      reference: { tlp, handlingCode, crimeCategory },
      values: {
        ...Object.fromEntries(Object.entries(values).map(([field, value]) => [field, [value]])),
        ...(closedOn ? { closedOn: [closedOn] } : {}),
      },
    })
  }
  const syndicateSpecs: [CrimeCategory, Tlp, string][] = [
    ['TRAFFICKING_IN_PERSONS', 'AMBER', 'H2'],
    ['CYBERCRIME', 'RED', 'H1'],
  ]
  for (const [index, [crimeCategory, tlp, handlingCode]] of syndicateSpecs.entries()) {
    const aliases = [token()]
    const description = token()
    await records.syndicates.create(access, {
      externalRef: `S-${index}`,
      name: `Syndicate ${index}`,
      crimeCategory,
      tlp,
      handlingCode,
      aliases,
      description,
      caseIds: [caseIds[index]!],
    })
    stored.syndicates.push({
      resource: 'syndicates',
      reference: { tlp, handlingCode, crimeCategory },
      values: { aliases, description: [description] },
    })
  }
  const reportSpecs: [CrimeCategory, Tlp, string][] = [
    ['TRAFFICKING_IN_PERSONS', 'GREEN', 'H1'],
    ['ILLICIT_DRUG_TRAFFICKING', 'AMBER', 'H3'],
  ]
  for (const [index, [crimeCategory, tlp, handlingCode]] of reportSpecs.entries()) {
    const title = token()
    const body = token()
    await records.intelReports.create(access, {
      externalRef: `I-${index}`,
      title,
      body,
      sourceGrading: 'B',
      informationGrading: 'TWO',
      crimeCategory,
      tlp,
      handlingCode,
      reportedOn: '2003-04-04',
      subjectIds: [caseIds[index]!],
    })
    stored.intelReports.push({
      resource: 'intelReports',
      reference: { tlp, handlingCode, crimeCategory },
      values: { title: [title], body: [body] },
    })
  }
  return stored
}

const everything = `{
  persons(first: 20) { nodes { id names { fullName } primaryName { fullName } dateOfBirth dateOfBirthPrecision
    nationality lastKnownCountry statusChangedOn notes
    identifiers { kind value normalised issuingCountry }
    cases { role case { id title summary location closedOn } }
    syndicates { role syndicate { id aliases description } }
    intelReports { id title body } } }
  cases(first: 20) { nodes { id title summary location closedOn
    persons { role person { id notes dateOfBirth names { fullName } identifiers { value normalised } } }
    syndicates { id aliases description } intelReports { id title body } } }
  syndicates(first: 20) { nodes { id aliases description members { person { id notes } } cases { id title } } }
  intelReports(first: 20) { nodes { id title body
    subjects { ... on Case { id summary } ... on Person { id notes } ... on Syndicate { id description } } } }
}`

type Rules = Record<string, unknown>
const subset = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 })
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 })

function randomResource(resource: PolicyResource): fc.Arbitrary<Rules> {
  const filters = resourceModels[resource].rowFilters
  const rows = fc.record(
    {
      tlpCeiling: fc.constantFrom(...tlpLevels),
      ...(filters.includes('crimeCategories') ? { crimeCategories: maybe(subset(crimeCategories)) } : {}),
      ...(filters.includes('personRoles') ? { personRoles: maybe(subset(personRoles)) } : {}),
      ...(filters.includes('handlingCodes') ? { handlingCodes: maybe(subset(handling)) } : {}),
    },
    { requiredKeys: [] },
  )
  const fields = fc.tuple(
    ...Object.entries(resourceModels[resource].fields).map(([field, definition]) =>
      maybe(fc.constantFrom(...definition.rules).map((rule) => [field, rule] as const)),
    ),
  )
  const kinds =
    resource === 'identifiers'
      ? fc
          .subarray(['EMAIL', 'BANK_ACCOUNT', 'PHONE'] as IdentifierKind[], { minLength: 1 })
          .chain((chosen) =>
            fc.tuple(
              ...chosen.map((kind) => fc.constantFrom('allow', 'mask').map((rule) => [kind, rule] as const)),
            ),
          )
          .map((entries) => ({ kinds: Object.fromEntries(entries) }))
      : fc.constant({})
  return fc
    .record({
      rows,
      fields,
      otherFields: fc.constantFrom('allow', 'omit', undefined),
      hitOnly: fc.boolean(),
      kinds,
    })
    .map(({ rows: rowRules, fields: chosen, otherFields, hitOnly, kinds: kindRules }) => {
      const listed = Object.fromEntries(chosen.filter((entry) => entry !== undefined))
      const base = { rows: JSON.parse(JSON.stringify(rowRules)), ...kindRules }
      if (hitOnly) return { ...base, hitOnly: true }
      return {
        ...base,
        ...(Object.keys(listed).length > 0 ? { fields: listed } : {}),
        ...(otherFields ? { otherFields } : {}),
      }
    })
}

const randomResources = fc.record(
  {
    cases: randomResource('cases'),
    persons: randomResource('persons'),
    identifiers: randomResource('identifiers'),
    syndicates: randomResource('syndicates'),
    intelReports: randomResource('intelReports'),
  },
  { requiredKeys: [] },
)

/** The row filter a resource section states, read from the document. */
function filterOf(resource: PolicyResource, rules: Rules | undefined): RowFilter | 'deny' {
  if (!rules || rules.hitOnly) return 'deny'
  const rows = (rules.rows ?? {}) as Partial<RowFilter>
  return {
    ...rows,
    tlpCeiling: rows.tlpCeiling ?? 'GREEN',
    ...(resource === 'identifiers'
      ? { identifierKinds: Object.keys(rules.kinds as object) as IdentifierKind[] }
      : {}),
  }
}

function ruleOf(rules: Rules, field: string): string {
  return (
    (rules.fields as Record<string, string> | undefined)?.[field] ??
    (rules.otherFields as string | undefined) ??
    'omit'
  )
}

describe('GraphQL answers to a peer never carry a withheld value', () => {
  let node: PeerViewApp
  let stored: Awaited<ReturnType<typeof storeRecords>>
  let officerToken: string

  beforeAll(async () => {
    node = await buildPeerViewApp('version: 1\nagreements: []\n', {
      graphql: { maxCost: 1_000_000, maxDepth: 10 },
    })
    stored = await storeRecords(node)
    officerToken = await node.token('liaison')
  })

  afterAll(async () => {
    await node?.close()
  })

  it('holds for 1,000 random policies over the same records', async () => {
    let version = 1
    let releasedRecords = 0
    let withheldChecks = 0
    await fc.assert(
      fc.asyncProperty(randomResources, async (resources) => {
        version++
        const document = policyDocument([agreement({ resources })], { version })
        await writeFile(node.policyFile, toYaml(document))
        expect((await node.app.policyStore.reload()).status).toBe('loaded')
        const response = await node.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: {
            authorization: `Bearer ${officerToken}`,
            'content-type': 'application/json',
            'x-test-peer': JSON.stringify({ agency: 'HK-HKPF', purpose: 'RESCUE', clearance: 'RED' }),
          },
          payload: { query: everything },
        })
        const body = response.body
        expect(JSON.parse(body).errors, body).toBeUndefined()
        const sharedPersons = stored.persons.map((person) =>
          rowMatches('persons', filterOf('persons', resources.persons), person.reference),
        )
        for (const [resource, list] of Object.entries(stored) as [PolicyResource, Stored[]][]) {
          const rules = resources[resource] as Rules | undefined
          for (const record of list) {
            const shared =
              rowMatches(resource, filterOf(resource, rules), record.reference) &&
              (record.person === undefined || sharedPersons[record.person] === true)
            for (const [field, values] of Object.entries(record.values)) {
              const rule = !shared
                ? 'none'
                : resource === 'identifiers'
                  ? ((rules!.kinds as Record<string, string>)[record.reference.kind!] ?? 'mask')
                  : ruleOf(rules!, field)
              for (const value of values) {
                withheldChecks++
                if (rule === 'allow') {
                  expect(body, `${resource}.${field} allowed`).toContain(value)
                } else if (rule === 'mask') {
                  expect(body, `${resource}.${field} masked`).not.toContain(value.slice(0, -3))
                  expect(body, `${resource}.${field} masked`).not.toContain(value.slice(-4))
                } else if (rule === 'generaliseYear') {
                  expect(body, `${resource}.${field} generalised`).not.toContain(value.slice(0, 7))
                  expect(body, `${resource}.${field} generalised`).toContain(`"${value.slice(0, 4)}"`)
                } else {
                  expect(body, `${resource}.${field} ${rule}`).not.toContain(value)
                }
              }
            }
            if (shared) releasedRecords++
          }
        }
      }),
      { numRuns: 1000 },
    )
    expect(releasedRecords).toBeGreaterThan(1000)
    expect(withheldChecks).toBeGreaterThan(10_000)
  }, 600_000)
})
