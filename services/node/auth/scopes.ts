/**
 * Scopes and roles. Every root field, mutation and REST route maps to one scope (a test enumerates
 * them); roles are bundles of scopes. Deny by default: a principal holds only what its role grants.
 */
import type { Tlp } from '../../../schema/vocabulary.ts'

export const scopes = [
  'cases:read',
  'cases:write',
  'persons:read',
  'persons:write',
  'syndicates:read',
  'syndicates:write',
  'intel:read',
  'intel:write',
  'records:import',
  'stats:read',
  'audit:read',
  'policy:read',
  'admin',
] as const
export type Scope = (typeof scopes)[number]

export const roles = ['liaison', 'analyst', 'system', 'secretariat', 'admin'] as const
export type Role = (typeof roles)[number]

const readRecords: Scope[] = ['cases:read', 'persons:read', 'syndicates:read', 'intel:read']
const writeRecords: Scope[] = ['cases:write', 'persons:write', 'syndicates:write', 'intel:write']

/**
 * What each role may do. A liaison officer searches and reads; an analyst also writes intelligence;
 * an agency system loads and maintains its own records; the secretariat reaches aggregates only;
 * an administrator operates the node (audit, policy) but is not a record reader by default.
 */
export const roleScopes: Record<Role, readonly Scope[]> = {
  liaison: [...readRecords, 'policy:read'],
  analyst: [...readRecords, 'intel:write', 'stats:read', 'policy:read'],
  system: [...readRecords, ...writeRecords, 'records:import'],
  secretariat: ['stats:read'],
  admin: ['admin', 'audit:read', 'policy:read', 'stats:read'],
}

/** The highest TLP a role may see when the token carries no clearance claim of its own. */
export const defaultClearance: Record<Role, Tlp> = {
  liaison: 'AMBER',
  analyst: 'AMBER_STRICT',
  system: 'RED',
  secretariat: 'CLEAR',
  admin: 'AMBER',
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (scopes as readonly string[]).includes(value)
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value)
}

/** The union of the scopes of the given roles. */
export function scopesOfRoles(granted: readonly Role[]): Set<Scope> {
  return new Set(granted.flatMap((role) => roleScopes[role]))
}
