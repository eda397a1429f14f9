/**
 * What an asker's statistics count, and the smallest count that may leave: from the policy in
 * force. Pure.
 *
 * - Another agency (a peer asking with the purpose STATISTICS): the deciding agreement's row
 *   filters for cases, persons and syndicates, and its `minimumCell`. No agreement: nothing. A
 *   count discloses no record, so the asking officer's clearance does not cap what is counted
 *   below AMBER (a secretariat token's clearance is CLEAR): the agreement's own TLP ceiling does,
 *   as for the node's own principals.
 * - The node's own principals: every own record up to TLP AMBER (or up to their clearance when it
 *   is higher), and the strictest `minimumCell` of the policy's statistics agreements, never less
 *   than `defaultMinimumCell`: a table the node releases to its own secretariat token is then no
 *   finer than one it would release to any agency.
 */
import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import type { Principal } from '../auth/principal.ts'
import { JaringError } from '../errors.ts'
import type { Policy } from '../policy/compile.ts'
import { decideForPrincipal, type TrustRoles } from '../policy/decide.ts'
import type { CountedRows } from '../records/statistics.ts'

/** The minimum cell size for the node's own principals when the policy states none. */
export const defaultMinimumCell = 5

/** Counts of own principals reach this TLP at least: the ceiling the region's statistics agreements count to. */
const homeCountingCeiling: Tlp = 'AMBER'

export interface StatisticsScope {
  counted: CountedRows
  minimumCell: number
}

function higher(a: Tlp, b: Tlp): Tlp {
  return tlpLevels.indexOf(a) >= tlpLevels.indexOf(b) ? a : b
}

export function homeMinimumCell(policy: Policy): number {
  const stated = policy.agreements.flatMap((agreement) =>
    agreement.purposes.has('STATISTICS') && agreement.minimumCell !== null ? [agreement.minimumCell] : [],
  )
  return Math.max(defaultMinimumCell, ...stated)
}

export function statisticsScopeFor(
  policy: Policy,
  principal: Principal,
  node: { agency: string; at: Date; roles: TrustRoles },
): StatisticsScope {
  if (principal.kind !== 'peer' && principal.agency === node.agency) {
    const rows = { tlpCeiling: higher(principal.clearance, homeCountingCeiling) }
    return {
      counted: { agency: node.agency, cases: rows, persons: rows, syndicates: rows },
      minimumCell: homeMinimumCell(policy),
    }
  }
  const counting = { ...principal, clearance: higher(principal.clearance, homeCountingCeiling) }
  const decision = decideForPrincipal(policy, counting, {
    agency: node.agency,
    at: node.at,
    roles: node.roles,
  })
  if (decision.purpose !== 'STATISTICS' || decision.minimumCell === null)
    throw new JaringError('FORBIDDEN', {
      detail: 'This node’s policy shares no statistics with your agency.',
    })
  return {
    counted: {
      agency: node.agency,
      cases: decision.resources.cases.rows,
      persons: decision.resources.persons.rows,
      syndicates: decision.resources.syndicates.rows,
    },
    minimumCell: decision.minimumCell,
  }
}
