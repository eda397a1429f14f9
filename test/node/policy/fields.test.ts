import { describe, expect, it } from 'vitest'
import { compilePolicy } from '../../../services/node/policy/compile.ts'
import { type Decision, decide, homeDecision } from '../../../services/node/policy/decide.ts'
import { applyFieldRules } from '../../../services/node/policy/fields.ts'
import { generaliseToYear, maskValue } from '../../../services/node/policy/resources.ts'
import { agreement, policyDocument } from './documents.ts'

const at = new Date('2026-06-01T00:00:00Z')

function decisionFor(resources: Record<string, unknown>): Decision {
  const policy = compilePolicy(policyDocument([agreement({ id: 'mou-1', resources })]))
  return decide(policy, { asker: 'HK-HKPF', purpose: 'RESCUE', at, roles: {} })
}

const person = {
  id: 'TH-RTP:0b9f6a52-0d6b-4c54-9a4f-1a0c2d3e4f50',
  uuid: '0b9f6a52-0d6b-4c54-9a4f-1a0c2d3e4f50',
  type: 'PERSON',
  agency: 'TH-RTP',
  externalRef: 'P-1',
  tlp: 'AMBER',
  handlingCode: 'H3',
  names: [{ kind: 'PRIMARY', fullName: 'Somchai Jaidee', script: 'Latn', romanised: null }],
  primaryName: { kind: 'PRIMARY', fullName: 'Somchai Jaidee', script: 'Latn', romanised: null },
  dateOfBirth: '1991-04-12',
  dateOfBirthPrecision: 'DAY',
  dateOfBirthApproximate: false,
  nationality: 'TH',
  gender: 'MALE',
  status: 'TRAPPED',
  lastKnownCountry: 'MM',
  statusChangedOn: '2026-02-03',
  statusMonth: '2026-02-01',
  notes: 'Contacted family on 2 Feb',
}

describe('field rules', () => {
  it('allow keeps the value; the row is returned as is when nothing is withheld', () => {
    const decision = decisionFor({ persons: { otherFields: 'allow' } })
    const { value, withheld } = applyFieldRules('persons', person, decision)
    expect(value).toBe(person)
    expect(withheld).toEqual([])
  })

  it('omit gives null for a scalar and an empty list for a list, with the derived fields', () => {
    const decision = decisionFor({ persons: { fields: { nationality: 'allow' } } })
    const { value, withheld } = applyFieldRules('persons', person, decision)
    expect(value).toMatchObject({
      names: [],
      primaryName: null,
      dateOfBirth: null,
      dateOfBirthPrecision: null,
      nationality: 'TH',
      lastKnownCountry: null,
      statusChangedOn: null,
      statusMonth: null,
      notes: null,
    })
    expect(value).not.toBe(person)
    expect(person.notes).toBe('Contacted family on 2 Feb')
    expect(value).toMatchObject({ id: person.id, tlp: 'AMBER', gender: 'MALE', status: 'TRAPPED' })
    expect(withheld).toEqual(
      ['names', 'dateOfBirth', 'lastKnownCountry', 'statusChangedOn', 'notes'].map((field) => ({
        path: field,
        rule: 'omit',
        agreementId: 'mou-1',
        rulePath: 'resources.persons.otherFields',
      })),
    )
  })

  it('generaliseYear releases only the year of a date of birth, with the precision YEAR', () => {
    const decision = decisionFor({
      persons: { fields: { dateOfBirth: 'generaliseYear' }, otherFields: 'allow' },
    })
    const { value, withheld } = applyFieldRules('persons', person, decision)
    expect(value.dateOfBirth).toBe('1991')
    expect(value.dateOfBirthPrecision).toBe('YEAR')
    expect(withheld).toEqual([
      {
        path: 'dateOfBirth',
        rule: 'generaliseYear',
        agreementId: 'mou-1',
        rulePath: 'resources.persons.fields.dateOfBirth',
      },
    ])
    const partial = applyFieldRules(
      'persons',
      { ...person, dateOfBirth: '1991-04', dateOfBirthPrecision: 'MONTH' },
      decision,
    )
    expect(partial.value).toMatchObject({ dateOfBirth: '1991', dateOfBirthPrecision: 'YEAR' })
    const unknown = applyFieldRules(
      'persons',
      { ...person, dateOfBirth: null, dateOfBirthPrecision: null },
      decision,
    )
    expect(unknown.value).toMatchObject({ dateOfBirth: null, dateOfBirthPrecision: null })
    expect(unknown.withheld).toHaveLength(1)
    expect(generaliseToYear('1991-04-12')).toBe('1991')
    expect(generaliseToYear('1991')).toBe('1991')
    expect(generaliseToYear('April 1991')).toBeNull()
  })

  it('reports a withheld field whether or not the row had a value, so the report reveals nothing', () => {
    const decision = decisionFor({ persons: { otherFields: 'allow', fields: { notes: 'omit' } } })
    const withNotes = applyFieldRules('persons', person, decision).withheld
    const withoutNotes = applyFieldRules('persons', { ...person, notes: null }, decision).withheld
    expect(withNotes).toEqual(withoutNotes)
  })

  it('omits fields of cases, syndicates and intelligence reports, with their derived fields', () => {
    const decision = decisionFor({
      cases: { fields: { title: 'allow' } },
      syndicates: { fields: { description: 'allow' } },
      intelReports: { fields: { title: 'allow' } },
    })
    const caseRow = {
      title: 'T',
      summary: 'S',
      location: 'L',
      closedOn: '2026-01-02',
      closedMonth: '2026-01-01',
    }
    expect(applyFieldRules('cases', caseRow, decision).value).toEqual({
      title: 'T',
      summary: null,
      location: null,
      closedOn: null,
      closedMonth: null,
    })
    expect(
      applyFieldRules('syndicates', { aliases: ['Golden Dragon'], description: 'D' }, decision).value,
    ).toEqual({
      aliases: [],
      description: 'D',
    })
    expect(applyFieldRules('intelReports', { title: 'T', body: 'B' }, decision).value).toEqual({
      title: 'T',
      body: null,
    })
  })

  it('prefixes withheld paths with the caller’s path', () => {
    const decision = decisionFor({ intelReports: { fields: { title: 'allow' } } })
    expect(
      applyFieldRules('intelReports', { title: 'T', body: 'B' }, decision, 'intelReports.nodes[4].').withheld,
    ).toEqual([
      {
        path: 'intelReports.nodes[4].body',
        rule: 'omit',
        agreementId: 'mou-1',
        rulePath: 'resources.intelReports.otherFields',
      },
    ])
  })
})

describe('identifier rules by kind', () => {
  const identifier = (kind: string, value: string, normalised = value) => ({
    id: 'a5b0c1d2-e3f4-4a5b-8c6d-7e8f9a0b1c2d',
    kind,
    value,
    normalised,
    issuingCountry: 'TH',
    tlp: 'AMBER',
  })
  const decision = decisionFor({
    identifiers: { kinds: { PHONE: 'allow', NATIONAL_ID: 'mask' }, fields: { issuingCountry: 'allow' } },
  })

  it('shows the value of an allowed kind', () => {
    const phone = identifier('PHONE', '+66 81 234 5678', '+66812345678')
    expect(applyFieldRules('identifiers', phone, decision)).toEqual({ value: phone, withheld: [] })
  })

  it('masks the value and its normalised form of a masked kind, keeping the last 3 characters', () => {
    const { value, withheld } = applyFieldRules(
      'identifiers',
      identifier('NATIONAL_ID', '1-1037-02345-67-8', '1103702345678'),
      decision,
    )
    expect(value).toMatchObject({
      value: '•••••7-8',
      normalised: '•••••678',
      issuingCountry: 'TH',
      kind: 'NATIONAL_ID',
    })
    expect(withheld).toEqual(
      ['value', 'normalised'].map((path) => ({
        path,
        rule: 'mask',
        agreementId: 'mou-1',
        rulePath: 'resources.identifiers.kinds.NATIONAL_ID',
      })),
    )
  })

  it('masks a kind the decision does not list (the row filter should not have let it through)', () => {
    const { value, withheld } = applyFieldRules('identifiers', identifier('PASSPORT', 'AA1234567'), decision)
    expect(value).toMatchObject({ value: '•••••567', normalised: '•••••567' })
    expect(withheld[0]).toMatchObject({ rule: 'mask', rulePath: '(default deny)' })
  })

  it('omits the issuing country unless allowed', () => {
    const strict = decisionFor({ identifiers: { kinds: { PHONE: 'allow' } } })
    const { value, withheld } = applyFieldRules('identifiers', identifier('PHONE', '+66812345678'), strict)
    expect(value.issuingCountry).toBeNull()
    expect(withheld).toEqual([
      {
        path: 'issuingCountry',
        rule: 'omit',
        agreementId: 'mou-1',
        rulePath: 'resources.identifiers.otherFields',
      },
    ])
  })

  it('masks to a fixed length and keeps nothing of a value shorter than 8 characters', () => {
    expect(maskValue('+66812345678')).toBe('•••••678')
    expect(maskValue('AB123456')).toBe('•••••456')
    expect(maskValue('AB12345')).toBe('•••••')
    expect(maskValue('  AB1234567  ')).toBe('•••••567')
    expect(maskValue('x'.repeat(150))).toBe('•••••xxx')
  })
})

describe('the home decision', () => {
  it('withholds nothing from the node’s own principals', () => {
    const policy = compilePolicy(policyDocument([]))
    const decision = homeDecision(policy, 'TH-RTP', 'RED')
    expect(applyFieldRules('persons', person, decision)).toEqual({ value: person, withheld: [] })
    const nationalId = { kind: 'NATIONAL_ID', value: '1103702345678', normalised: '1103702345678' }
    expect(applyFieldRules('identifiers', nationalId, decision).value).toBe(nationalId)
  })
})
