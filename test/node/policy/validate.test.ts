import { describe, expect, it } from 'vitest'
import { purposes } from '../../../schema/index.ts'
import { crimeCategories, identifierKinds, personRoles, tlpLevels } from '../../../schema/vocabulary.ts'
import {
  canonicalPolicyText,
  compilePolicy,
  parsePolicy,
  policyHash,
} from '../../../services/node/policy/compile.ts'
import { fieldRuleNames, policyResources, resourceModels } from '../../../services/node/policy/resources.ts'
import {
  formatIssue,
  PolicyError,
  policySchema,
  validatePolicyDocument,
} from '../../../services/node/policy/validate.ts'
import { agreement, demoAgencies, demoPolicy, demoPolicyText, policyDocument } from './documents.ts'

const messages = (document: unknown) => validatePolicyDocument(document).map(formatIssue)

describe('policy schema errors name the path and the reason', () => {
  it('reports an unknown rule at its dotted path with list indexes', () => {
    const document = policyDocument([
      agreement({ id: 'a' }),
      agreement({ id: 'b' }),
      agreement({ id: 'c', resources: { persons: { fields: { dateOfBirth: 'blur' } } } }),
    ])
    expect(messages(document)).toEqual([
      'agreements[2].resources.persons.fields.dateOfBirth: unknown rule "blur"',
    ])
    expect(validatePolicyDocument(document)[0]?.hint).toBe('expected one of: allow, omit, generaliseYear')
  })

  it('reports a known rule where it does not apply', () => {
    const document = policyDocument([
      agreement({
        resources: {
          persons: { fields: { notes: 'mask' } },
          identifiers: { kinds: { PHONE: 'generaliseYear' } },
        },
      }),
    ])
    expect(messages(document)).toEqual([
      'agreements[0].resources.persons.fields.notes: rule "mask" does not apply here',
      'agreements[0].resources.identifiers.kinds.PHONE: rule "generaliseYear" does not apply here',
    ])
  })

  it('reports unknown fields, row filters, resources, kinds and settings by name', () => {
    const document = policyDocument(
      [
        agreement({
          colour: 'blue',
          resources: {
            persons: { fields: { eyeColour: 'allow' }, rows: { crimeCategory: ['CYBERCRIME'] } },
            cases: { rows: { personRoles: ['VICTIM'] } },
            identifiers: { kinds: { PHONEX: 'allow' } },
            vehicles: {},
          },
        }),
      ],
      { owner: 'me' },
    )
    expect(messages(document)).toEqual([
      'owner: unknown setting "owner"',
      'agreements[0].colour: unknown setting "colour"',
      'agreements[0].resources.vehicles: unknown resource "vehicles"',
      'agreements[0].resources.cases.rows.personRoles: unknown row filter "personRoles"',
      'agreements[0].resources.persons.rows.crimeCategory: unknown row filter "crimeCategory"',
      'agreements[0].resources.persons.fields.eyeColour: unknown field "eyeColour"',
      'agreements[0].resources.identifiers.kinds.PHONEX: unknown identifier kind "PHONEX"',
    ])
    const fieldIssue = validatePolicyDocument(document).find((issue) => issue.path.endsWith('eyeColour'))
    expect(fieldIssue?.hint).toBe(
      'expected one of: names, dateOfBirth, nationality, lastKnownCountry, statusChangedOn, notes',
    )
  })

  it('reports unknown vocabulary values, wrong types, bad formats, missing and empty settings', () => {
    const document = policyDocument(
      [
        agreement({
          with: [],
          purposes: ['FUN'],
          validFrom: '2026-02-30',
          validTo: undefined,
          resources: {
            cases: { rows: { tlpCeiling: 'PINK', crimeCategories: ['CYBERCRIME', 'CYBERCRIME'] } },
            persons: 'everything',
            syndicates: { hitOnly: 'yes', rows: { handlingCodes: ['H 1'] } },
          },
        }),
        { ...agreement({ id: 'second', with: ['th'] }), title: undefined },
      ],
      { version: '1.0', agency: 'thai police' },
    )
    expect(messages(JSON.parse(JSON.stringify(document)))).toEqual([
      'version: must be a whole number',
      'agency: must be an agency code like TH-RTP, not "thai police"',
      'agreements[0].validTo: is required',
      'agreements[0].with: must not be empty',
      'agreements[0].purposes[0]: unknown purpose "FUN"',
      'agreements[0].validFrom: must be a date like 2026-01-31, not "2026-02-30"',
      'agreements[0].resources.cases.rows.crimeCategories: lists "CYBERCRIME" twice',
      'agreements[0].resources.cases.rows.tlpCeiling: unknown TLP level "PINK"',
      'agreements[0].resources.persons: must be a mapping',
      'agreements[0].resources.syndicates.rows.handlingCodes[0]: must be a handling code like H3, not "H 1"',
      'agreements[0].resources.syndicates.hitOnly: must be true or false',
      'agreements[1].title: is required',
    ])
  })

  it('reports rules the schema cannot express', () => {
    const document = policyDocument(
      [
        agreement({ id: 'home' }),
        agreement({ id: 'twice', with: ['asean', 'mekong', 'partner'] }),
        agreement({ id: 'twice', validFrom: '2026-06-01', validTo: '2026-05-31' }),
        agreement({
          id: 'stats',
          purposes: ['STATISTICS'],
          resources: { cases: { fields: { title: 'allow' } } },
        }),
        agreement({ id: 'cell', minimumCell: 5 }),
        agreement({
          id: 'hits',
          resources: {
            persons: { hitOnly: true, fields: { names: 'allow' } },
            cases: { hitOnly: true, otherFields: 'allow' },
          },
        }),
      ],
      { groups: { mekong: ['VN-MPS'], member: ['TH-RTP'] } },
    )
    expect(messages(document)).toEqual([
      'groups.member: "member" is a built-in group and cannot be redefined',
      'agreements[0].id: "home" is reserved for the node\'s own principals',
      'agreements[1].with[0]: unknown group "asean"',
      'agreements[2].id: duplicate agreement id "twice" (also agreements[1])',
      'agreements[2].validTo: is before validFrom (2026-06-01)',
      'agreements[3].minimumCell: is required when the purposes include STATISTICS',
      'agreements[3].resources.cases.fields: a statistics-only agreement releases counts, never records or fields',
      'agreements[4].minimumCell: applies only when the purposes include STATISTICS',
      'agreements[5].resources.persons.fields: a hit-only resource releases no fields',
      'agreements[5].resources.cases.otherFields: a hit-only resource releases no fields',
    ])
  })

  it('tells list indexes from numeric keys and names group keys that are not group names', () => {
    expect(messages(policyDocument([], { groups: { Mekong: ['VN-MPS'], '2024': ['x'] } }))).toEqual([
      'groups.2024: must be a group name in lower case like mekong, not "2024"',
      'groups.Mekong: must be a group name in lower case like mekong, not "Mekong"',
      'groups.2024[0]: must be an agency code like TH-RTP, not "x"',
    ])
  })

  it('throws a PolicyError listing every issue, one per line', () => {
    const document = policyDocument([agreement({ purposes: ['FUN'], with: [] })])
    expect(() => compilePolicy(document)).toThrow(PolicyError)
    expect(() => compilePolicy(document)).toThrow(
      'agreements[0].with: must not be empty\nagreements[0].purposes[0]: unknown purpose "FUN"',
    )
  })
})

describe('policy files', () => {
  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(() => parsePolicy('version: 1\nagreements: [\n')).toThrow(
      /^line \d+, column \d+: is not valid YAML/,
    )
    expect(() => parsePolicy('version: 1\nversion: 2\nagreements: []\n')).toThrow(
      /^line 2, column 1: is not valid YAML: Map keys must be unique/,
    )
    expect(() => parsePolicy('# nothing\n')).toThrow('(document): is empty')
    expect(() => parsePolicy('- 1\n')).toThrow('(document): must be a mapping')
  })

  it('hashes the canonical bytes: line endings and a byte-order mark do not change the hash', () => {
    const text = 'version: 1\nagreements: []\n'
    expect(parsePolicy(text).hash).toBe(policyHash(text))
    expect(parsePolicy(`\uFEFF${text.replaceAll('\n', '\r\n')}`).hash).toBe(parsePolicy(text).hash)
    expect(canonicalPolicyText('a\r\nb')).toBe('a\nb')
    expect(parsePolicy('version: 1\nagreements: []\n# comment\n').hash).not.toBe(parsePolicy(text).hash)
  })

  it.each(demoAgencies)('accepts the demo policy of %s', (agency) => {
    const policy = demoPolicy(agency)
    expect(policy.agency).toBe(agency)
    expect(policy.hash).toBe(policyHash(demoPolicyText(agency)))
    expect(policy.agreements.length).toBeGreaterThan(1)
  })

  it('compiles defaults: tlpCeiling GREEN, unlisted fields omitted, validity as UTC instants', () => {
    const policy = compilePolicy(
      policyDocument([
        agreement({
          resources: {
            persons: { fields: { names: 'allow' } },
            cases: { otherFields: 'allow', fields: { summary: 'omit' } },
            identifiers: { kinds: { PHONE: 'mask' } },
          },
        }),
      ]),
    )
    const [compiled] = policy.agreements
    expect(compiled?.startsAt.toISOString()).toBe('2026-01-01T00:00:00.000Z')
    expect(compiled?.endsBefore.toISOString()).toBe('2027-01-01T00:00:00.000Z')
    expect(compiled?.resources.persons?.rows).toEqual({ tlpCeiling: 'GREEN' })
    expect(compiled?.resources.persons?.fields.names).toEqual({
      rule: 'allow',
      rulePath: 'resources.persons.fields.names',
    })
    expect(compiled?.resources.persons?.fields.notes).toEqual({
      rule: 'omit',
      rulePath: 'resources.persons.otherFields',
    })
    expect(compiled?.resources.cases?.fields.title).toEqual({
      rule: 'allow',
      rulePath: 'resources.cases.otherFields',
    })
    expect(compiled?.resources.cases?.fields.summary?.rule).toBe('omit')
    expect(compiled?.resources.identifiers?.rows.identifierKinds).toEqual(['PHONE'])
    expect(compiled?.resources.identifiers?.identifierValues?.PHONE).toEqual({
      rule: 'mask',
      rulePath: 'resources.identifiers.kinds.PHONE',
    })
    expect(compiled?.resources.syndicates).toBeUndefined()
  })
})

describe('the policy schema matches the vocabularies and the resource model', () => {
  const definitions = policySchema.$defs as Record<string, Record<string, unknown>>
  const agreementResources = (definitions.agreement!.properties as Record<string, Record<string, unknown>>)
    .resources!.properties as Record<
    string,
    { properties: Record<string, { properties?: Record<string, { enum?: string[] }> }> }
  >

  it('has the vocabulary values in the same order', () => {
    expect(definitions.tlp!.enum).toEqual([...tlpLevels])
    expect((definitions.crimeCategories!.items as { enum: string[] }).enum).toEqual([...crimeCategories])
    expect((definitions.personRoles!.items as { enum: string[] }).enum).toEqual([...personRoles])
    const agreementProperties = definitions.agreement!.properties as Record<
      string,
      { items: { enum: string[] } }
    >
    expect(agreementProperties.purposes!.items.enum).toEqual([...purposes])
    expect(Object.keys(agreementResources.identifiers!.properties.kinds!.properties!)).toEqual([
      ...identifierKinds,
    ])
  })

  it('lists every resource with the ruleable fields, rules and row filters of the model', () => {
    expect(Object.keys(agreementResources)).toEqual([...policyResources])
    for (const resource of policyResources) {
      const model = resourceModels[resource]
      const properties = agreementResources[resource]!.properties
      expect(Object.keys(properties.rows!.properties!)).toEqual([...model.rowFilters])
      const fields = properties.fields!.properties!
      expect(Object.keys(fields)).toEqual(Object.keys(model.fields))
      for (const [field, definition] of Object.entries(model.fields)) {
        expect(fields[field]!.enum, `${resource}.${field}`).toEqual([...definition.rules])
        expect(definition.rules.every((rule) => (fieldRuleNames as readonly string[]).includes(rule))).toBe(
          true,
        )
      }
    }
  })
})
