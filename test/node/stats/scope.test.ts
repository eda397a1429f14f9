/**
 * Whose rows statistics count and the minimum cell for each asker, from the policy in force: an
 * agreement for STATISTICS decides for another agency; the node's own principals get the
 * strictest minimum of the policy, never under the default.
 */
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../services/node/auth/principal.ts'
import { JaringError } from '../../../services/node/errors.ts'
import { denyAllPolicy, parsePolicy } from '../../../services/node/policy/compile.ts'
import { defaultMinimumCell, statisticsScopeFor } from '../../../services/node/stats/scope.ts'

const policy = parsePolicy(`
version: 2
agency: TH-RTP
agreements:
  - id: asean-statistics
    title: ASEAN statistics
    with: [member, secretariat]
    purposes: [STATISTICS]
    validFrom: 2026-01-01
    validTo: 2030-12-31
    minimumCell: 10
    resources:
      cases:
        rows: { tlpCeiling: AMBER, crimeCategories: [TRAFFICKING_IN_PERSONS] }
      persons:
        rows: { tlpCeiling: GREEN }
`)

const principal = (overrides: Partial<Principal>): Principal => ({
  kind: 'officer',
  agency: 'TH-RTP',
  subject: 'someone',
  roles: ['secretariat'],
  scopes: new Set(['stats:read']),
  clearance: 'CLEAR',
  tokenId: 'jti',
  ...overrides,
})

const node = {
  agency: 'TH-RTP',
  at: new Date('2026-06-01T00:00:00Z'),
  roles: { 'VN-MPS': 'member', 'HK-HKPF': 'partner' },
} as const

function refusal(work: () => unknown): string {
  try {
    work()
  } catch (error) {
    return error instanceof JaringError ? error.code : 'uncoded'
  }
  return 'allowed'
}

describe('statistics scope', () => {
  it('counts a member agency’s statistics under its agreement, with its minimum cell', () => {
    const scope = statisticsScopeFor(
      policy,
      principal({ kind: 'peer', agency: 'VN-MPS', purpose: 'STATISTICS', clearance: 'AMBER' }),
      node,
    )
    expect(scope.minimumCell).toBe(10)
    expect(scope.counted.cases).toEqual({ tlpCeiling: 'AMBER', crimeCategories: ['TRAFFICKING_IN_PERSONS'] })
    expect(scope.counted.persons).toEqual({ tlpCeiling: 'GREEN' })
    expect(scope.counted.syndicates).toBe('deny')
  })

  it('counts to the agreement’s ceiling whatever the asking officer’s clearance: a count shows no record', () => {
    const scope = statisticsScopeFor(
      policy,
      principal({ kind: 'peer', agency: 'VN-MPS', purpose: 'STATISTICS', clearance: 'CLEAR' }),
      node,
    )
    expect(scope.counted.cases).toEqual({ tlpCeiling: 'AMBER', crimeCategories: ['TRAFFICKING_IN_PERSONS'] })
    expect(scope.counted.persons).toEqual({ tlpCeiling: 'GREEN' })
  })

  it('refuses an agency without a statistics agreement, or asking for another purpose', () => {
    expect(
      refusal(() =>
        statisticsScopeFor(
          policy,
          principal({ kind: 'peer', agency: 'HK-HKPF', purpose: 'STATISTICS' }),
          node,
        ),
      ),
    ).toBe('FORBIDDEN')
    expect(
      refusal(() =>
        statisticsScopeFor(
          policy,
          principal({ kind: 'peer', agency: 'VN-MPS', purpose: 'INVESTIGATION' }),
          node,
        ),
      ),
    ).toBe('FORBIDDEN')
    expect(refusal(() => statisticsScopeFor(policy, principal({ agency: 'VN-MPS' }), node))).toBe('FORBIDDEN')
  })

  it('gives the node’s own principals the strictest minimum, never under the default', () => {
    expect(statisticsScopeFor(policy, principal({}), node).minimumCell).toBe(10)
    const none = statisticsScopeFor(denyAllPolicy('TH-RTP'), principal({}), node)
    expect(none.minimumCell).toBe(defaultMinimumCell)
    // Counts are not records: own statistics reach AMBER even for a CLEAR token, RED only when cleared.
    expect(none.counted.cases).toEqual({ tlpCeiling: 'AMBER' })
    expect(statisticsScopeFor(policy, principal({ clearance: 'RED' }), node).counted.cases).toEqual({
      tlpCeiling: 'RED',
    })
  })
})
