/**
 * The scope every root field of the schema needs. Deny by default: a root field without an entry
 * here cannot be registered (the plugin refuses to start), and a test enumerates the schema and
 * fails on a field this map lacks.
 */

import type { Principal } from '../auth/principal.ts'
import type { Scope } from '../auth/scopes.ts'
import { JaringError } from '../errors.ts'

/** One scope, or any one of several (`record(id)` needs a read scope; which one depends on the record). */
export type FieldScope = Scope | { anyOf: readonly Scope[] }

const anyRecordRead: FieldScope = { anyOf: ['cases:read', 'persons:read', 'syndicates:read', 'intel:read'] }

export const rootFieldScopes = {
  Query: {
    cases: 'cases:read',
    persons: 'persons:read',
    syndicates: 'syndicates:read',
    intelReports: 'intel:read',
    // The record is then looked up only among the types the principal may read.
    record: anyRecordRead,
    // Rules only, never data: what this node's policy offers an agency.
    sharingAgreement: 'policy:read',
    // Shows what an agency would receive of any record: for administrators only.
    policyExplain: 'admin',
    // Who asked what, and why: oversight of this node's audit trail.
    auditEvents: 'audit:read',
    // Counts only, small ones suppressed: the secretariat's one scope.
    statistics: 'stats:read',
  },
  Mutation: {
    createCase: 'cases:write',
    updateCase: 'cases:write',
    createPerson: 'persons:write',
    updatePerson: 'persons:write',
    createSyndicate: 'syndicates:write',
    updateSyndicate: 'syndicates:write',
    createIntelReport: 'intel:write',
    updateIntelReport: 'intel:write',
  },
} as const satisfies Record<'Query' | 'Mutation', Record<string, FieldScope>>

export type RootType = keyof typeof rootFieldScopes

export function scopeOfRootField(type: string, field: string): FieldScope | undefined {
  const fields = (rootFieldScopes as Record<string, Record<string, FieldScope>>)[type]
  return fields && Object.hasOwn(fields, field) ? fields[field] : undefined
}

function describe(scope: FieldScope): string {
  return typeof scope === 'string' ? scope : `one of ${scope.anyOf.join(', ')}`
}

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN without the scope. */
export function requireFieldScope(principal: Principal | null | undefined, scope: FieldScope, field: string) {
  if (!principal) throw new JaringError('UNAUTHENTICATED')
  const held =
    typeof scope === 'string' ? principal.scopes.has(scope) : scope.anyOf.some((s) => principal.scopes.has(s))
  if (!held)
    throw new JaringError('FORBIDDEN', { path: field, detail: `This needs the scope ${describe(scope)}.` })
}
