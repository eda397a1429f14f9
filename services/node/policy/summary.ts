/**
 * A policy described in words and plain data, never records: the summary `jaring policy check`
 * prints, what this node offers one agency (the `sharingAgreement` query), and the warnings that
 * flag agreements which can never decide (expired, shadowed by an earlier one).
 */
import { identifierKinds } from '../../../schema/vocabulary.ts'
import type { CompiledAgreement, CompiledResource, Policy } from './compile.ts'
import { agreementNames, type TrustRoles } from './decide.ts'
import { type FieldRuleName, type PolicyResource, policyResources } from './resources.ts'
import { builtInGroups, type PolicyIssue } from './validate.ts'

export interface FieldRuleSummary {
  field: string
  rule: FieldRuleName
}

export interface ResourceSummary {
  resource: PolicyResource
  hitOnly: boolean
  /** Statistics-only agreements: rows are counted, never released. */
  countsOnly: boolean
  tlpCeiling: string
  crimeCategories: string[] | null
  personRoles: string[] | null
  handlingCodes: string[] | null
  /** Identifiers: each shared kind with the rule for its value. */
  identifierKinds: FieldRuleSummary[] | null
  fields: FieldRuleSummary[]
}

export interface AgreementSummary {
  id: string
  title: string
  with: string[]
  purposes: string[]
  validFrom: string
  validTo: string
  minimumCell: number | null
  resources: ResourceSummary[]
}

function summariseResource(
  resource: PolicyResource,
  compiled: CompiledResource,
  countsOnly: boolean,
): ResourceSummary {
  const values = compiled.identifierValues
  return {
    resource,
    hitOnly: compiled.hitOnly,
    countsOnly,
    tlpCeiling: compiled.rows.tlpCeiling,
    crimeCategories: compiled.rows.crimeCategories ? [...compiled.rows.crimeCategories] : null,
    personRoles: compiled.rows.personRoles ? [...compiled.rows.personRoles] : null,
    handlingCodes: compiled.rows.handlingCodes ? [...compiled.rows.handlingCodes] : null,
    identifierKinds: values
      ? identifierKinds.flatMap((kind) => (values[kind] ? [{ field: kind, rule: values[kind].rule }] : []))
      : null,
    fields:
      compiled.hitOnly || countsOnly
        ? []
        : Object.entries(compiled.fields).map(([field, { rule }]) => ({ field, rule })),
  }
}

export function summariseAgreement(agreement: CompiledAgreement): AgreementSummary {
  const countsOnly = agreement.purposes.size === 1 && agreement.purposes.has('STATISTICS')
  return {
    id: agreement.id,
    title: agreement.title,
    with: [...agreement.with],
    purposes: [...agreement.purposes],
    validFrom: agreement.validFrom,
    validTo: agreement.validTo,
    minimumCell: agreement.minimumCell,
    resources: policyResources.flatMap((resource) => {
      const compiled = agreement.resources[resource]
      return compiled ? [summariseResource(resource, compiled, countsOnly)] : []
    }),
  }
}

/**
 * What the policy offers one agency: the agreements that name it and are in force at the instant
 * (or later), in the order they decide. Rules only, never data.
 */
export function offeredTo(policy: Policy, agency: string, roles: TrustRoles, at: Date): AgreementSummary[] {
  return policy.agreements
    .filter(
      (agreement) =>
        agreement.endsBefore.getTime() > at.getTime() &&
        agreementNames(policy, agreement.with, agency, roles),
    )
    .map(summariseAgreement)
}

const builtIn = (entry: string) => (builtInGroups as readonly string[]).includes(entry)

/** Whether two `with` lists can name the same agency, whatever the trust list's roles. */
function withListsMayOverlap(policy: Policy, a: readonly string[], b: readonly string[]): boolean {
  const expand = (entry: string) => policy.groups.get(entry) ?? new Set([entry])
  return a.some((left) =>
    b.some((right) => {
      if (left === right || left === 'all' || right === 'all') return true
      if (builtIn(left) && builtIn(right)) return false
      if (builtIn(left) || builtIn(right)) return true
      const rightSet = expand(right)
      return [...expand(left)].some((code) => rightSet.has(code))
    }),
  )
}

const day = (at: Date) => at.toISOString().slice(0, 10)

/** Things that are valid but worth a second look: expired agreements, overlaps, empty agreements. */
export function policyWarnings(policy: Policy, now: Date): PolicyIssue[] {
  const warnings: PolicyIssue[] = []
  const today = day(now)
  policy.agreements.forEach((agreement, index) => {
    const at = `agreements[${index}]`
    if (agreement.validTo < today) warnings.push({ path: at, reason: `expired on ${agreement.validTo}` })
    if (Object.keys(agreement.resources).length === 0) {
      warnings.push({ path: `${at}.resources`, reason: 'shares nothing' })
    }
    agreement.with.forEach((entry, entryIndex) => {
      if (policy.agency !== null && entry === policy.agency) {
        warnings.push({
          path: `${at}.with[${entryIndex}]`,
          reason: 'names this node’s own agency, whose principals get the home rule instead',
        })
      }
    })
    for (const earlier of policy.agreements.slice(0, index)) {
      const sharedPurposes = [...agreement.purposes].filter((purpose) => earlier.purposes.has(purpose))
      const datesOverlap = earlier.validFrom <= agreement.validTo && agreement.validFrom <= earlier.validTo
      if (
        sharedPurposes.length > 0 &&
        datesOverlap &&
        withListsMayOverlap(policy, earlier.with, agreement.with)
      ) {
        warnings.push({
          path: at,
          reason: `overlaps agreements[${earlier.index}] (${earlier.id}) for ${sharedPurposes.join(', ')}; where both name the asker, agreements[${earlier.index}] decides`,
        })
      }
    }
  })
  return warnings
}
