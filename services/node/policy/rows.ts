/**
 * Row filters, twice: compiled to a drizzle SQL condition for the repositories (the only place the
 * policy makes SQL, so rows a policy withholds are never fetched), and evaluated in memory by an
 * independent reference evaluator that the property tests hold the SQL against and that `explain`
 * uses to say which filter hid a row.
 */
import { and, eq, exists, inArray, type SQL, sql } from 'drizzle-orm'
import { alias, type PgColumn, QueryBuilder } from 'drizzle-orm/pg-core'
import {
  casePersons,
  cases,
  identifiers,
  intelReports,
  persons,
  syndicates,
} from '../../../db/schema/records.ts'
import {
  type CrimeCategory,
  type IdentifierKind,
  type PersonRole,
  type Tlp,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import type { RowFilter } from './compile.ts'
import type { PolicyResource } from './resources.ts'

/** The columns a row filter reads; a table (or an alias of one) of the resource has them. */
export interface RowFilterColumns {
  id: PgColumn
  tlp: PgColumn
  handlingCode?: PgColumn
  crimeCategory?: PgColumn
  kind?: PgColumn
}

const defaultColumns: Record<PolicyResource, RowFilterColumns> = {
  cases,
  persons,
  identifiers,
  syndicates,
  intelReports,
}

const caseLink = alias(casePersons, 'policy_case_link')
const linkedCase = alias(cases, 'policy_linked_case')
const subqueries = new QueryBuilder()

/** The TLP levels a ceiling lets through, lowest first. */
export function levelsUpTo(ceiling: Tlp): Tlp[] {
  return tlpLevels.slice(0, tlpLevels.indexOf(ceiling) + 1)
}

function required(column: PgColumn | undefined, resource: PolicyResource, name: string): PgColumn {
  if (!column) throw new Error(`rowFilterToSql: the ${resource} columns lack ${name}`)
  return column
}

/**
 * The SQL condition that selects exactly the rows the filter shares (`false` for a denied
 * resource). Persons filtered by role or crime category need a case link that satisfies both
 * together: `personRoles: [VICTIM], crimeCategories: [TRAFFICKING_IN_PERSONS]` means a victim in
 * a trafficking case, not a victim of anything who is also a suspect in some trafficking case.
 */
export function rowFilterToSql(
  resource: PolicyResource,
  filter: RowFilter | 'deny',
  columns: RowFilterColumns = defaultColumns[resource],
): SQL {
  if (filter === 'deny') return sql`false`
  const conditions: SQL[] = [inArray(columns.tlp, levelsUpTo(filter.tlpCeiling))]
  if (filter.handlingCodes && resource !== 'identifiers') {
    conditions.push(
      inArray(required(columns.handlingCode, resource, 'handlingCode'), [...filter.handlingCodes]),
    )
  }
  if (resource === 'identifiers') {
    if (filter.identifierKinds) {
      conditions.push(inArray(required(columns.kind, resource, 'kind'), [...filter.identifierKinds]))
    }
  } else if (resource === 'persons') {
    if (filter.personRoles || filter.crimeCategories) {
      const linkConditions: SQL[] = [eq(caseLink.personId, columns.id)]
      if (filter.personRoles) linkConditions.push(inArray(caseLink.role, [...filter.personRoles]))
      const links = subqueries.select({ one: sql`1` }).from(caseLink)
      if (filter.crimeCategories) {
        linkConditions.push(inArray(linkedCase.crimeCategory, [...filter.crimeCategories]))
        conditions.push(
          exists(
            links.innerJoin(linkedCase, eq(linkedCase.id, caseLink.caseId)).where(and(...linkConditions)),
          ),
        )
      } else {
        conditions.push(exists(links.where(and(...linkConditions))))
      }
    }
  } else if (filter.crimeCategories) {
    conditions.push(
      inArray(required(columns.crimeCategory, resource, 'crimeCategory'), [...filter.crimeCategories]),
    )
  }
  return and(...conditions)!
}

/** A person's part in one case, as the reference evaluator needs it. */
export interface CaseLink {
  role: PersonRole
  crimeCategory: CrimeCategory
}

/** What the reference evaluator reads of a row. */
export interface ReferenceRow {
  tlp: Tlp
  handlingCode?: string
  crimeCategory?: CrimeCategory
  kind?: IdentifierKind
  /** Persons: every case the person appears in, with the role. */
  caseLinks?: readonly CaseLink[]
}

/** Why a row is not shared: the filter that failed, in words. */
export interface RowMismatch {
  filter: 'deny' | 'tlpCeiling' | 'handlingCodes' | 'crimeCategories' | 'personRoles' | 'identifierKinds'
  detail: string
}

const listed = (values: readonly string[]) => values.join(', ')

/** Every filter the row fails (empty when the row is shared), evaluated in memory. */
export function rowMismatches(
  resource: PolicyResource,
  filter: RowFilter | 'deny',
  row: ReferenceRow,
): RowMismatch[] {
  if (filter === 'deny') return [{ filter: 'deny', detail: 'the resource is not shared' }]
  const mismatches: RowMismatch[] = []
  if (tlpLevels.indexOf(row.tlp) > tlpLevels.indexOf(filter.tlpCeiling)) {
    mismatches.push({
      filter: 'tlpCeiling',
      detail: `TLP ${row.tlp} is above the ceiling ${filter.tlpCeiling}`,
    })
  }
  if (resource === 'identifiers') {
    const kinds = filter.identifierKinds
    if (kinds && !(row.kind && kinds.includes(row.kind))) {
      mismatches.push({
        filter: 'identifierKinds',
        detail: `kind ${row.kind ?? '(none)'} is not among the shared kinds (${listed(kinds) || 'none'})`,
      })
    }
    return mismatches
  }
  if (filter.handlingCodes && !filter.handlingCodes.includes(row.handlingCode ?? '')) {
    mismatches.push({
      filter: 'handlingCodes',
      detail: `handling code ${row.handlingCode ?? '(none)'} is not among ${listed(filter.handlingCodes)}`,
    })
  }
  if (resource === 'persons') {
    const roles = filter.personRoles
    const categories = filter.crimeCategories
    if (roles || categories) {
      const qualifies = (link: CaseLink) =>
        (!roles || roles.includes(link.role)) && (!categories || categories.includes(link.crimeCategory))
      if (!(row.caseLinks ?? []).some(qualifies)) {
        const wanted = [
          roles ? `role ${listed(roles)}` : null,
          categories ? `a case of ${listed(categories)}` : null,
        ].filter(Boolean)
        mismatches.push({
          filter: roles ? 'personRoles' : 'crimeCategories',
          detail: `no case link with ${wanted.join(' in ')}`,
        })
      }
    }
    return mismatches
  }
  if (filter.crimeCategories && !(row.crimeCategory && filter.crimeCategories.includes(row.crimeCategory))) {
    mismatches.push({
      filter: 'crimeCategories',
      detail: `crime category ${row.crimeCategory ?? '(none)'} is not among ${listed(filter.crimeCategories)}`,
    })
  }
  return mismatches
}

/** The reference evaluator: whether the filter shares the row. */
export function rowMatches(resource: PolicyResource, filter: RowFilter | 'deny', row: ReferenceRow): boolean {
  return rowMismatches(resource, filter, row).length === 0
}
