/**
 * What a data-sharing policy can govern, resource by resource: which row filters apply, which fields
 * a rule can withhold (and with which rules), and which fields always travel with a shared row.
 * The field names are the GraphQL ones (the same as the drizzle column properties). A test checks
 * that every column of every record table is classified here, so a new column cannot slip out
 * unclassified.
 */
import type { IdentifierKind } from '../../../schema/vocabulary.ts'

export const policyResources = ['cases', 'persons', 'identifiers', 'syndicates', 'intelReports'] as const
export type PolicyResource = (typeof policyResources)[number]

export const fieldRuleNames = ['allow', 'omit', 'mask', 'generaliseYear'] as const
export type FieldRuleName = (typeof fieldRuleNames)[number]

/** The rules a withholding outcome reports; `allow` withholds nothing. */
export type WithholdingRule = Exclude<FieldRuleName, 'allow'>

export const rowFilterNames = ['crimeCategories', 'personRoles', 'tlpCeiling', 'handlingCodes'] as const
export type RowFilterName = (typeof rowFilterNames)[number]

/** The rules an identifier kind can carry: its value is never null, so a kind is shown or masked. */
export const identifierValueRules = ['allow', 'mask'] as const satisfies readonly FieldRuleName[]
export type IdentifierValueRule = (typeof identifierValueRules)[number]

export interface RuleableField {
  /** The rules that make sense for the field's type. */
  rules: readonly FieldRuleName[]
  /** What the field becomes when omitted: null for a nullable scalar, an empty list for a list. */
  omitted: null | readonly []
  /** Fields derived from this one, withheld with it (a stored month reveals its date's month). */
  companions: readonly string[]
}

export interface ResourceModel {
  rowFilters: readonly RowFilterName[]
  /** Fields a rule decides; any field not listed in an agreement gets the resource's `otherFields`. */
  fields: Readonly<Record<string, RuleableField>>
  /** Fields that always travel with a shared row (the schema makes them non-null). */
  structural: readonly string[]
}

const allowOrOmit = ['allow', 'omit'] as const
const nullable = (companions: readonly string[] = []): RuleableField => ({
  rules: allowOrOmit,
  omitted: null,
  companions,
})
const list = (companions: readonly string[] = []): RuleableField => ({
  rules: allowOrOmit,
  omitted: [],
  companions,
})

const recordStructural = [
  'id',
  'agency',
  'globalId',
  'externalRef',
  'tlp',
  'handlingCode',
  'createdAt',
  'updatedAt',
  'version',
] as const

export const resourceModels: Readonly<Record<PolicyResource, ResourceModel>> = {
  cases: {
    rowFilters: ['crimeCategories', 'tlpCeiling', 'handlingCodes'],
    fields: {
      title: nullable(),
      summary: nullable(),
      location: nullable(),
      closedOn: nullable(['closedMonth']),
    },
    structural: [...recordStructural, 'crimeCategory', 'status', 'country', 'openedOn', 'openedMonth'],
  },
  persons: {
    rowFilters: ['personRoles', 'crimeCategories', 'tlpCeiling', 'handlingCodes'],
    fields: {
      names: list(['primaryName']),
      dateOfBirth: {
        rules: ['allow', 'omit', 'generaliseYear'],
        omitted: null,
        companions: ['dateOfBirthPrecision'],
      },
      nationality: nullable(),
      lastKnownCountry: nullable(),
      statusChangedOn: nullable(['statusMonth']),
      notes: nullable(),
    },
    structural: [...recordStructural, 'dateOfBirthApproximate', 'gender', 'status'],
  },
  identifiers: {
    rowFilters: ['tlpCeiling'],
    fields: { issuingCountry: nullable() },
    structural: ['id', 'agency', 'personId', 'kind', 'tlp', 'createdAt'],
  },
  syndicates: {
    rowFilters: ['crimeCategories', 'tlpCeiling', 'handlingCodes'],
    fields: { aliases: list(), description: nullable() },
    structural: [...recordStructural, 'name', 'status', 'countries', 'crimeCategory'],
  },
  intelReports: {
    rowFilters: ['crimeCategories', 'tlpCeiling', 'handlingCodes'],
    fields: { title: nullable(), body: nullable() },
    structural: [
      ...recordStructural,
      'sourceGrading',
      'informationGrading',
      'crimeCategory',
      'reportedOn',
      'reportedMonth',
    ],
  },
}

/** An identifier's value fields, ruled by the identifier's kind. */
export const identifierValueFields = ['value', 'normalised'] as const

/** The mask keeps at most this many trailing characters, and only of values at least `maskKeepFrom` long. */
export const maskKeep = 3
export const maskKeepFrom = 8
export const maskPrefix = '•••••'

/**
 * Replaces a value by a fixed mask that keeps its last three characters (`•••••678`), enough for an
 * officer to tell two numbers apart on the phone, never enough to use one. The mask's length does
 * not reveal the value's length; a value shorter than eight characters keeps nothing.
 */
export function maskValue(value: string): string {
  const trimmed = value.trim()
  return trimmed.length >= maskKeepFrom ? `${maskPrefix}${trimmed.slice(-maskKeep)}` : maskPrefix
}

/** `1987-04-12` or `1987-04` to `1987`; anything without a leading year is withheld entirely. */
export function generaliseToYear(value: string): string | null {
  const match = /^(\d{4})(?:-\d{2}){0,2}$/.exec(value)
  return match ? match[1]! : null
}

export function isPolicyResource(value: unknown): value is PolicyResource {
  return typeof value === 'string' && (policyResources as readonly string[]).includes(value)
}

export type IdentifierValueRules = Partial<Record<IdentifierKind, IdentifierValueRule>>
