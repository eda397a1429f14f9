/**
 * What a reader may see, as SQL. Every query of the records repositories takes a `RecordAccess` and
 * builds its WHERE clause through the one visibility function of its resource, where the
 * data-sharing policy's decision for the reader adds its row filters (TLP ceiling, crime
 * categories, roles, handling codes, identifier kinds): rows the policy withholds are never fetched.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { cases, identifiers, intelReports, persons, syndicates } from '../../../db/schema/records.ts'
import type { RecordType, Tlp } from '../../../schema/vocabulary.ts'
import type { Principal } from '../auth/principal.ts'
import { tlpLevelsUpTo } from '../auth/principal.ts'
import type { Scope } from '../auth/scopes.ts'
import { denyAllPolicy, type Policy } from '../policy/compile.ts'
import { type Decision, decide, decideForPrincipal, type TrustRoles } from '../policy/decide.ts'
import type { PolicyResource } from '../policy/resources.ts'
import { type RowFilterColumns, rowFilterToSql } from '../policy/rows.ts'

export interface RecordAccess {
  /** This node's agency: it stores and serves only its own records. */
  agency: string
  /** This node's country: a phone number written without a country code is read in it. */
  country: string
  /** The TLP levels the reader may write (reads follow the decision's row filters). */
  tlpLevels: readonly Tlp[]
  /** The record types the reader may see (from the `*:read` scopes). */
  readable: ReadonlySet<RecordType>
  /** The data-sharing policy's decision for the reader: row filters for every read, field rules for every record. */
  decision: Decision
  /** Collects the global id of every record released to this reader (the request's audit row lists them). */
  disclosed?: Set<string>
}

export const readScopeOf: Record<RecordType, Scope> = {
  CASE: 'cases:read',
  PERSON: 'persons:read',
  SYNDICATE: 'syndicates:read',
  INTEL_REPORT: 'intel:read',
}

export const writeScopeOf: Record<RecordType, Scope> = {
  CASE: 'cases:write',
  PERSON: 'persons:write',
  SYNDICATE: 'syndicates:write',
  INTEL_REPORT: 'intel:write',
}

export interface NodeIdentity {
  agency: string
  country: string
}

/** Where the decisions come from: the policy in force and the federation's roles. */
export interface PolicySource {
  policy: () => Policy
  trustRoles: () => TrustRoles
}

/**
 * The access of a verified principal at this node: its read scopes, its clearance for writes, and
 * the policy's decision for it (the home rule for the node's own principals, an agreement or
 * nothing for a peer), made once per request.
 */
export function recordAccess(
  node: NodeIdentity,
  principal: Principal,
  source: PolicySource,
  at: Date = new Date(),
  disclosed?: Set<string>,
): RecordAccess {
  const readable = new Set<RecordType>()
  for (const [type, scope] of Object.entries(readScopeOf) as [RecordType, Scope][]) {
    if (principal.scopes.has(scope)) readable.add(type)
  }
  return {
    agency: node.agency,
    country: node.country,
    tlpLevels: tlpLevelsUpTo(principal.clearance),
    readable,
    decision: decideForPrincipal(source.policy(), principal, {
      agency: node.agency,
      at,
      roles: source.trustRoles(),
    }),
    ...(disclosed ? { disclosed } : {}),
  }
}

/** Sees nothing: for a request without a principal, so that a missing check can never leak. */
export function noAccess(node: NodeIdentity): RecordAccess {
  return {
    agency: node.agency,
    country: node.country,
    tlpLevels: [],
    readable: new Set(),
    decision: decide(denyAllPolicy(node.agency), { asker: '', purpose: null, at: new Date(), roles: {} }),
  }
}

const nothing = sql`false`

/**
 * The visibility of one resource: this node's own rows, of a type the reader may read, that the
 * decision's row filters release as records (a hit-only or counts-only resource releases none).
 */
function ownAndReleased(
  access: RecordAccess,
  type: RecordType,
  resource: PolicyResource,
  table: RowFilterColumns & { agency: AnyPgColumn },
): SQL {
  const released = access.decision.resources[resource]
  if (!access.readable.has(type) || released.hitOnly || released.countsOnly) return nothing
  return and(eq(table.agency, access.agency), rowFilterToSql(resource, released.rows, table)) ?? nothing
}

export function caseVisibility(access: RecordAccess): SQL {
  return ownAndReleased(access, 'CASE', 'cases', cases)
}

export function personVisibility(access: RecordAccess): SQL {
  return ownAndReleased(access, 'PERSON', 'persons', persons)
}

export function syndicateVisibility(access: RecordAccess): SQL {
  return ownAndReleased(access, 'SYNDICATE', 'syndicates', syndicates)
}

export function intelReportVisibility(access: RecordAccess): SQL {
  return ownAndReleased(access, 'INTEL_REPORT', 'intelReports', intelReports)
}

/** An identifier carries its own TLP, which may be stricter than its person's; the policy shares it by kind. */
export function identifierVisibility(access: RecordAccess): SQL {
  return ownAndReleased(access, 'PERSON', 'identifiers', identifiers)
}
