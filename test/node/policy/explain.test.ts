import { describe, expect, it } from 'vitest'
import { type ExplainRecord, explain, type FieldExplanation } from '../../../services/node/policy/explain.ts'
import { demoPolicy } from './documents.ts'

const at = new Date('2026-06-15T09:00:00Z')
const roles = {
  'HK-HKPF': 'partner',
  // A partner without agreements of its own: what the `partner` group's agreements decide alone.
  'MO-PJ': 'partner',
  'TH-RTP': 'member',
  'VN-MPS': 'member',
  'XX-SOMTC': 'secretariat',
} as const

const trappedPerson: ExplainRecord = {
  resource: 'persons',
  row: {
    id: 'TH-RTP:3f0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59',
    uuid: '3f0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59',
    type: 'PERSON',
    agency: 'TH-RTP',
    externalRef: 'RTP-P-2026-0042',
    tlp: 'AMBER',
    handlingCode: 'H2',
    names: [{ kind: 'PRIMARY', fullName: 'Chan Tai Man', script: 'Latn', romanised: null }],
    dateOfBirth: '1998-07-21',
    dateOfBirthPrecision: 'DAY',
    dateOfBirthApproximate: false,
    nationality: 'HK',
    gender: 'MALE',
    status: 'TRAPPED',
    lastKnownCountry: 'MM',
    statusChangedOn: '2026-03-02',
    notes: 'Family received a ransom demand',
  },
  caseLinks: [{ role: 'PERSON_AT_RISK', crimeCategory: 'TRAFFICKING_IN_PERSONS' }],
  identifiers: [
    {
      id: 'aa0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59',
      kind: 'PHONE',
      value: '+852 9123 4567',
      normalised: '+85291234567',
      issuingCountry: 'HK',
      tlp: 'AMBER',
    },
    {
      id: 'bb0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59',
      kind: 'NATIONAL_ID',
      value: 'A123456(7)',
      normalised: 'A1234567',
      issuingCountry: 'HK',
      tlp: 'AMBER',
    },
  ],
}

const field = (fields: FieldExplanation[], name: string) => fields.find((entry) => entry.field === name)

describe('explain, with the demo policy of TH-RTP', () => {
  const policy = demoPolicy('TH-RTP')

  it('shows Hong Kong asking to rescue a person at risk what the rescue agreement releases, rule by rule', () => {
    const explanation = explain(policy, trappedPerson, 'HK-HKPF', 'RESCUE', { at, roles })
    expect(explanation).toMatchObject({
      asker: 'HK-HKPF',
      purpose: 'RESCUE',
      basis: 'agreement',
      agreementId: 'th-hk-rescue-2026',
      policyVersion: 4,
      policyHash: policy.hash,
    })
    const { record } = explanation
    expect(record.release).toBe('record')
    expect(record.reasons).toEqual([])
    expect(field(record.fields, 'names')).toEqual({
      field: 'names',
      outcome: 'shown',
      rule: 'allow',
      rulePath: 'resources.persons.fields.names',
      released: trappedPerson.row.names,
    })
    expect(field(record.fields, 'notes')).toMatchObject({
      outcome: 'omitted',
      released: null,
      rulePath: 'resources.persons.fields.notes',
    })
    expect(field(record.fields, 'status')).toMatchObject({
      outcome: 'shown',
      rule: 'structural',
      released: 'TRAPPED',
    })
    const [phone, nationalId] = explanation.identifiers
    expect(phone?.release).toBe('record')
    expect(field(phone!.fields, 'value')).toMatchObject({ outcome: 'shown', released: '+852 9123 4567' })
    expect(nationalId).toMatchObject({
      release: 'none',
      fields: [],
      reasons: [
        {
          detail: 'kind NATIONAL_ID is not among the shared kinds (PHONE, SOCIAL_HANDLE)',
          rulePath: 'resources.identifiers.kinds',
        },
      ],
    })
  })

  it('shows Viet Nam investigating a masked national id and a date of birth generalised to its year', () => {
    const explanation = explain(policy, trappedPerson, 'VN-MPS', 'INVESTIGATION', { at, roles })
    expect(explanation.agreementId).toBe('th-vn-investigation-mou')
    expect(field(explanation.record.fields, 'dateOfBirth')).toEqual({
      field: 'dateOfBirth',
      outcome: 'generalised',
      rule: 'generaliseYear',
      rulePath: 'resources.persons.fields.dateOfBirth',
      released: '1998',
    })
    const nationalId = explanation.identifiers[1]!
    expect(field(nationalId.fields, 'value')).toMatchObject({
      outcome: 'masked',
      released: '•••••(7)',
      rulePath: 'resources.identifiers.kinds.NATIONAL_ID',
    })
    expect(field(nationalId.fields, 'normalised')).toMatchObject({ outcome: 'masked', released: '•••••567' })
  })

  it('names the row filter that hides a record', () => {
    const suspect = {
      ...trappedPerson,
      caseLinks: [{ role: 'SUSPECT', crimeCategory: 'TRAFFICKING_IN_PERSONS' }],
    } as ExplainRecord
    const rescue = explain(policy, suspect, 'HK-HKPF', 'RESCUE', { at, roles })
    expect(rescue.record).toMatchObject({
      release: 'none',
      fields: [],
      reasons: [
        { detail: 'no case link with role PERSON_AT_RISK', rulePath: 'resources.persons.rows.personRoles' },
      ],
    })
    expect(rescue.identifiers.every((identifier) => identifier.release === 'none')).toBe(true)
    const secret = { ...trappedPerson, row: { ...trappedPerson.row, tlp: 'RED', handlingCode: 'H5' } }
    expect(explain(policy, secret, 'VN-MPS', 'INVESTIGATION', { at, roles }).record.reasons).toEqual([
      { detail: 'TLP RED is above the ceiling AMBER', rulePath: 'resources.persons.rows.tlpCeiling' },
      {
        detail: 'handling code H5 is not among H1, H2, H3',
        rulePath: 'resources.persons.rows.handlingCodes',
      },
    ])
  })

  it('releases a scam suspect to Hong Kong investigating: names, year of birth, phone; no national id', () => {
    const suspect = {
      ...trappedPerson,
      caseLinks: [{ role: 'SUSPECT', crimeCategory: 'INTERNATIONAL_ECONOMIC_CRIME' }],
    } as ExplainRecord
    const explanation = explain(policy, suspect, 'HK-HKPF', 'INVESTIGATION', { at, roles })
    expect(explanation.agreementId).toBe('th-hk-scam-investigation-2026')
    expect(explanation.record.release).toBe('record')
    expect(field(explanation.record.fields, 'dateOfBirth')?.released).toBe('1998')
    expect(field(explanation.record.fields, 'notes')?.outcome).toBe('omitted')
    const [phone, nationalId] = explanation.identifiers
    expect(field(phone!.fields, 'value')).toMatchObject({ outcome: 'shown', released: '+852 9123 4567' })
    expect(nationalId!.release).toBe('none')
    // The person at risk is no suspect: the agreement releases nothing of her to investigators.
    const trapped = explain(policy, trappedPerson, 'HK-HKPF', 'INVESTIGATION', { at, roles })
    expect(trapped.record).toMatchObject({
      release: 'none',
      reasons: [
        {
          detail: expect.stringMatching(/^no case link with role SUSPECT in a case of /),
          rulePath: 'resources.persons.rows.personRoles',
        },
      ],
    })
  })

  it('says a partner investigating without an agreement of its own gets a hit/no-hit answer only', () => {
    const explanation = explain(policy, trappedPerson, 'MO-PJ', 'INVESTIGATION', { at, roles })
    expect(explanation.agreementId).toBe('partners-hit-only')
    expect(explanation.record).toMatchObject({
      release: 'hitOnly',
      fields: [],
      reasons: [
        { detail: 'only whether the record matches is answered', rulePath: 'resources.persons.hitOnly' },
      ],
    })
  })

  it('says the secretariat gets counts only, and an agency without an agreement nothing', () => {
    const statistics = explain(policy, trappedPerson, 'XX-SOMTC', 'STATISTICS', { at, roles })
    expect(statistics.agreementId).toBe('asean-statistics')
    expect(statistics.record.release).toBe('countsOnly')
    const nobody = explain(policy, trappedPerson, 'SG-SPF', 'INVESTIGATION', { at, roles })
    expect(nobody).toMatchObject({ basis: 'none', agreementId: null })
    expect(nobody.record).toMatchObject({
      release: 'none',
      reasons: [{ detail: 'the resource is not shared', rulePath: '(default deny)' }],
    })
  })
})

describe('explain, with the demo policies of VN-MPS and HK-HKPF', () => {
  it('masks Thai national ids for Thailand at Viet Nam and generalises dates of birth', () => {
    const record = {
      ...trappedPerson,
      row: { ...trappedPerson.row, id: 'VN-MPS:3f0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59' },
    }
    const explanation = explain(demoPolicy('VN-MPS'), record, 'TH-RTP', 'INVESTIGATION', { at, roles })
    expect(explanation.agreementId).toBe('vn-th-investigation-mou')
    expect(field(explanation.record.fields, 'dateOfBirth')?.released).toBe('1998')
    expect(field(explanation.identifiers[1]!.fields, 'value')?.outcome).toBe('masked')
    expect(explain(demoPolicy('VN-MPS'), record, 'HK-HKPF', 'RESCUE', { at, roles }).record.release).toBe(
      'hitOnly',
    )
  })

  it('releases Hong Kong’s persons at risk to Thailand for rescue, and hits only to members investigating', () => {
    const policy = demoPolicy('HK-HKPF')
    const record = {
      ...trappedPerson,
      row: { ...trappedPerson.row, id: 'HK-HKPF:3f0c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59' },
    }
    const rescue = explain(policy, record, 'TH-RTP', 'RESCUE', { at, roles })
    expect(rescue.agreementId).toBe('hk-th-rescue-2026')
    expect(rescue.record.release).toBe('record')
    expect(field(rescue.identifiers[0]!.fields, 'value')?.released).toBe('+852 9123 4567')
    expect(explain(policy, record, 'VN-MPS', 'INVESTIGATION', { at, roles }).record.release).toBe('hitOnly')
    expect(explain(policy, record, 'VN-MPS', 'RESCUE', { at, roles }).record.release).toBe('none')
  })
})
