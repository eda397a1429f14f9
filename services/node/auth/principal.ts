import { type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import { JaringError } from '../errors.ts'
import type { Role, Scope } from './scopes.ts'

export type PrincipalKind = 'officer' | 'system' | 'peer'

/** Who is asking: built from a verified token, carried by every request. */
export interface Principal {
  kind: PrincipalKind
  /** The agency the principal belongs to (for a peer, the asking agency). */
  agency: string
  /** The officer's or system's id at its agency (`sub`). */
  subject: string
  roles: readonly Role[]
  scopes: ReadonlySet<Scope>
  /** The highest TLP this principal may see. */
  clearance: Tlp
  /** The token's `jti`, for the audit trail. */
  tokenId: string
  /** Why the principal asks (peer assertions carry it; officers may pass it per request). */
  purpose?: string
  caseReference?: string
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope)
}

/** Throws FORBIDDEN unless the principal holds the scope. */
export function requireScope(principal: Principal | undefined, scope: Scope): Principal {
  if (!principal) throw new JaringError('UNAUTHENTICATED')
  if (!principal.scopes.has(scope))
    throw new JaringError('FORBIDDEN', { detail: `This needs the scope ${scope}.` })
  return principal
}

/** Levels at or below the clearance, for SQL `tlp IN (...)` filters. */
export function tlpLevelsUpTo(clearance: Tlp): Tlp[] {
  return tlpLevels.slice(0, tlpLevels.indexOf(clearance) + 1)
}
