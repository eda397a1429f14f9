import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../services/node/auth/principal.ts'
import { compilePolicy, denyAllPolicy } from '../../../services/node/policy/compile.ts'
import {
  decide,
  decideForPrincipal,
  defaultDenyRulePath,
  homeDecision,
  type TrustRoles,
} from '../../../services/node/policy/decide.ts'
import { policyResources } from '../../../services/node/policy/resources.ts'
import { agreement, demoPolicy, policyDocument } from './documents.ts'

const roles: TrustRoles = {
  'HK-HKPF': 'partner',
  // A partner with no agreement of its own: only the `partner` group's agreements reach it.
  'MO-PJ': 'partner',
  'TH-RTP': 'member',
  'VN-MPS': 'member',
  'MY-PDRM': 'member',
  'XX-SOMTC': 'secretariat',
}
const inForce = new Date('2026-06-15T10:00:00Z')

const shareCases = { cases: { rows: { tlpCeiling: 'AMBER' }, fields: { title: 'allow' } } }

describe('which agreement decides', () => {
  it('denies everything when no agreement covers the request (deny by default)', () => {
    const policy = compilePolicy(policyDocument([agreement({ resources: shareCases })]))
    for (const request of [
      { asker: 'VN-MPS', purpose: 'RESCUE' },
      { asker: 'HK-HKPF', purpose: 'INVESTIGATION' },
      { asker: 'HK-HKPF', purpose: 'NOT_A_PURPOSE' },
      { asker: 'HK-HKPF', purpose: undefined },
    ]) {
      const decision = decide(policy, { ...request, at: inForce, roles })
      expect(decision.basis).toBe('none')
      expect(decision.agreementId).toBeNull()
      for (const resource of policyResources) {
        expect(decision.resources[resource].rows).toBe('deny')
        expect(Object.values(decision.resources[resource].fields).every((f) => f.rule === 'omit')).toBe(true)
      }
      expect(decision.resources.cases.fields.title?.rulePath).toBe(defaultDenyRulePath)
    }
    expect(
      decide(denyAllPolicy('TH-RTP'), { asker: 'HK-HKPF', purpose: 'RESCUE', at: inForce, roles }).basis,
    ).toBe('none')
  })

  it('applies an agreement from the first day 00:00 UTC through the last day 23:59:59.999 UTC', () => {
    const policy = compilePolicy(policyDocument([agreement({ resources: shareCases })]))
    const at = (iso: string) =>
      decide(policy, { asker: 'HK-HKPF', purpose: 'RESCUE', at: new Date(iso), roles }).agreementId
    expect(at('2025-12-31T23:59:59.999Z')).toBeNull()
    expect(at('2026-01-01T00:00:00.000Z')).toBe('test-agreement')
    expect(at('2026-12-31T23:59:59.999Z')).toBe('test-agreement')
    expect(at('2027-01-01T00:00:00.000Z')).toBeNull()
  })

  it('lets the first matching agreement in file order decide alone, never merging agreements', () => {
    const policy = compilePolicy(
      policyDocument([
        agreement({ id: 'narrow', resources: { cases: { fields: { title: 'allow' } } } }),
        agreement({
          id: 'broad',
          resources: { cases: { otherFields: 'allow' }, persons: { otherFields: 'allow' } },
        }),
      ]),
    )
    const decision = decide(policy, { asker: 'HK-HKPF', purpose: 'RESCUE', at: inForce, roles })
    expect(decision.agreementId).toBe('narrow')
    expect(decision.agreementTitle).toBe('Test agreement')
    expect(decision.resources.cases.fields.summary?.rule).toBe('omit')
    expect(decision.resources.persons.rows).toBe('deny')
    expect(decision.resources.persons.fields.names?.rulePath).toBe('resources.persons')
  })

  it('skips agreements for other purposes, other agencies and other dates', () => {
    const policy = compilePolicy(
      policyDocument([
        agreement({ id: 'expired', validFrom: '2025-01-01', validTo: '2025-12-31' }),
        agreement({ id: 'other-purpose', purposes: ['INVESTIGATION'] }),
        agreement({ id: 'other-agency', with: ['VN-MPS'] }),
        agreement({ id: 'this-one' }),
      ]),
    )
    expect(decide(policy, { asker: 'HK-HKPF', purpose: 'RESCUE', at: inForce, roles }).agreementId).toBe(
      'this-one',
    )
  })

  it('resolves named groups and the built-in groups against the trust-list roles', () => {
    const policy = compilePolicy(
      policyDocument(
        [
          agreement({ id: 'by-group', with: ['mekong'], purposes: ['INVESTIGATION'] }),
          agreement({ id: 'members', with: ['member'], purposes: ['INTELLIGENCE_ANALYSIS'] }),
          agreement({ id: 'partners', with: ['partner'], purposes: ['INTELLIGENCE_ANALYSIS'] }),
          agreement({ id: 'secretariat', with: ['secretariat'], purposes: ['STATISTICS'], minimumCell: 5 }),
          agreement({ id: 'everyone', with: ['all'], purposes: ['RESCUE'] }),
        ],
        { groups: { mekong: ['VN-MPS', 'LA-MPS'] } },
      ),
    )
    const agreementFor = (asker: string, purpose: string, knownRoles: TrustRoles = roles) =>
      decide(policy, { asker, purpose, at: inForce, roles: knownRoles }).agreementId
    expect(agreementFor('VN-MPS', 'INVESTIGATION')).toBe('by-group')
    expect(agreementFor('LA-MPS', 'INVESTIGATION', {})).toBe('by-group')
    expect(agreementFor('MY-PDRM', 'INVESTIGATION')).toBeNull()
    expect(agreementFor('MY-PDRM', 'INTELLIGENCE_ANALYSIS')).toBe('members')
    expect(agreementFor('HK-HKPF', 'INTELLIGENCE_ANALYSIS')).toBe('partners')
    expect(agreementFor('XX-SOMTC', 'INTELLIGENCE_ANALYSIS')).toBeNull()
    expect(agreementFor('XX-SOMTC', 'STATISTICS')).toBe('secretariat')
    expect(agreementFor('HK-HKPF', 'RESCUE')).toBe('everyone')
    expect(agreementFor('ZZ-UNKNOWN', 'RESCUE')).toBeNull()
    expect(agreementFor('MY-PDRM', 'INTELLIGENCE_ANALYSIS', {})).toBeNull()
  })

  it('carries the policy version and hash with every decision', () => {
    const policy = demoPolicy('TH-RTP')
    for (const asker of ['HK-HKPF', 'ZZ-NONE']) {
      const decision = decide(policy, { asker, purpose: 'RESCUE', at: inForce, roles })
      expect(decision.policyVersion).toBe(4)
      expect(decision.policyHash).toMatch(/^[0-9a-f]{64}$/)
      expect(decision.policyHash).toBe(policy.hash)
    }
  })
})

describe('what a decision releases', () => {
  it('gives statistics counts only, with the minimum cell', () => {
    const decision = decide(demoPolicy('TH-RTP'), {
      asker: 'XX-SOMTC',
      purpose: 'STATISTICS',
      at: inForce,
      roles,
    })
    expect(decision.agreementId).toBe('asean-statistics')
    expect(decision.minimumCell).toBe(5)
    expect(decision.resources.cases.countsOnly).toBe(true)
    expect(decision.resources.cases.rows).toEqual({ tlpCeiling: 'AMBER' })
    expect(decision.resources.cases.fields.title).toEqual({ rule: 'omit', rulePath: 'purposes' })
    expect(decision.resources.identifiers.rows).toBe('deny')
  })

  it('gives Hong Kong investigating the scam suspects: rows by role and category, contact identifiers', () => {
    const decision = decide(demoPolicy('TH-RTP'), {
      asker: 'HK-HKPF',
      purpose: 'INVESTIGATION',
      at: inForce,
      roles,
    })
    expect(decision.agreementId).toBe('th-hk-scam-investigation-2026')
    const persons = decision.resources.persons
    expect(persons.hitOnly).toBe(false)
    expect(persons.rows).toMatchObject({ personRoles: ['SUSPECT'], tlpCeiling: 'AMBER' })
    expect(persons.fields.names?.rule).toBe('allow')
    expect(persons.fields.dateOfBirth?.rule).toBe('generaliseYear')
    expect(Object.keys(decision.resources.identifiers.identifierValues).sort()).toEqual([
      'CRYPTO_WALLET',
      'EMAIL',
      'PHONE',
      'SOCIAL_HANDLE',
    ])
    expect(decision.resources.cases.rows).toBe('deny')
  })

  it('gives a partner without an agreement of its own hit/no-hit answers only: rows to match, no field', () => {
    const decision = decide(demoPolicy('TH-RTP'), {
      asker: 'MO-PJ',
      purpose: 'INVESTIGATION',
      at: inForce,
      roles,
    })
    expect(decision.agreementId).toBe('partners-hit-only')
    expect(decision.minimumCell).toBeNull()
    const persons = decision.resources.persons
    expect(persons.hitOnly).toBe(true)
    expect(persons.countsOnly).toBe(false)
    expect(persons.rows).toEqual({ tlpCeiling: 'AMBER' })
    expect(Object.values(persons.fields).every((field) => field.rule === 'omit')).toBe(true)
    expect(persons.fields.names?.rulePath).toBe('resources.persons.hitOnly')
    expect(decision.resources.identifiers.identifierValues).toEqual({})
    expect(decision.resources.cases.rows).toBe('deny')
  })
})

function principal(overrides: Partial<Principal>): Principal {
  return {
    kind: 'officer',
    agency: 'TH-RTP',
    subject: 'officer-1',
    roles: ['liaison'],
    scopes: new Set(['persons:read']),
    clearance: 'AMBER',
    tokenId: 'jti-1',
    ...overrides,
  }
}

describe('decisions for principals', () => {
  const policy = demoPolicy('TH-RTP')
  const context = { agency: 'TH-RTP', at: inForce, roles }

  it('gives the node’s own officers and systems every row up to their clearance and every field', () => {
    const decision = decideForPrincipal(policy, principal({ clearance: 'AMBER_STRICT' }), context)
    expect(decision.basis).toBe('home')
    expect(decision.agreementId).toBe('home')
    expect(decision.policyHash).toBe(policy.hash)
    for (const resource of policyResources) {
      expect(decision.resources[resource].rows).toEqual({ tlpCeiling: 'AMBER_STRICT' })
      expect(
        Object.values(decision.resources[resource].fields).every((field) => field.rule === 'allow'),
      ).toBe(true)
    }
    expect(decision.resources.identifiers.identifierValues.NATIONAL_ID?.rule).toBe('allow')
    expect(homeDecision(policy, 'TH-RTP', 'RED').resources.cases.rows).toEqual({ tlpCeiling: 'RED' })
    expect(decideForPrincipal(policy, principal({ kind: 'system', clearance: 'RED' }), context).basis).toBe(
      'home',
    )
  })

  it('applies the policy to a peer for its agency and purpose, never above its clearance', () => {
    const rescue = decideForPrincipal(
      policy,
      principal({ kind: 'peer', agency: 'HK-HKPF', purpose: 'RESCUE', clearance: 'GREEN' }),
      context,
    )
    expect(rescue.agreementId).toBe('th-hk-rescue-2026')
    expect(rescue.resources.persons.rows).toEqual({ tlpCeiling: 'GREEN', personRoles: ['PERSON_AT_RISK'] })
    const cleared = decideForPrincipal(
      policy,
      principal({ kind: 'peer', agency: 'HK-HKPF', purpose: 'RESCUE', clearance: 'RED' }),
      context,
    )
    expect(cleared.resources.persons.rows).toEqual({ tlpCeiling: 'AMBER', personRoles: ['PERSON_AT_RISK'] })
  })

  it('gives nothing to a peer without a purpose, a peer claiming this node’s agency, or another agency’s officer', () => {
    for (const asking of [
      principal({ kind: 'peer', agency: 'HK-HKPF' }),
      principal({ kind: 'peer', agency: 'TH-RTP', purpose: 'RESCUE' }),
      principal({ kind: 'officer', agency: 'HK-HKPF', purpose: 'RESCUE' }),
    ]) {
      const decision = decideForPrincipal(policy, asking, context)
      expect(decision.basis).toBe('none')
      expect(policyResources.every((resource) => decision.resources[resource].rows === 'deny')).toBe(true)
    }
  })
})
