/**
 * Evaluation: which agreement (if any) covers a request, and what it allows per resource. Pure:
 * the same policy, asker, purpose, instant and trust-list roles always give the same decision.
 *
 * Rules (docs/policy.md explains them to operators):
 * - Deny by default: no agreement that names the asker, covers the purpose and is valid at the
 *   instant means nothing is shared.
 * - The first matching agreement in file order decides alone; agreements are never merged, so
 *   every released field is explained by exactly one rule.
 * - A resource the deciding agreement does not list is not shared; a field it does not list gets
 *   the resource's `otherFields` (omit unless the agreement says allow).
 * - The node's own officers and systems get the built-in `home` decision: every row up to their
 *   clearance, every field (their role's scopes are enforced elsewhere).
 */
import { type Purpose, purposes } from '../../../schema/index.ts'
import { type IdentifierKind, identifierKinds, type Tlp, tlpLevels } from '../../../schema/vocabulary.ts'
import type { Principal } from '../auth/principal.ts'
import type { Policy, RowFilter, RuleReference } from './compile.ts'
import {
  type FieldRuleName,
  type IdentifierValueRule,
  type PolicyResource,
  policyResources,
  resourceModels,
} from './resources.ts'
import { homeAgreementId } from './validate.ts'

/** An agency's role on the federation's trust list. */
export type TrustRole = 'member' | 'partner' | 'secretariat'
export type TrustRoles = Readonly<Record<string, TrustRole>>

export interface DecisionRequest {
  asker: string
  purpose: Purpose | string | null | undefined
  at: Date
  /** The trust list's roles by agency code, for the built-in groups member, partner, secretariat, all. */
  roles: TrustRoles
}

export interface ResourceDecision {
  rows: RowFilter | 'deny'
  /** Every ruleable field of the resource with the rule that decides it. */
  fields: Readonly<Record<string, RuleReference>>
  /** Identifiers: the rule for the value of each shared kind (a kind not listed is not shared). */
  identifierValues: Readonly<Partial<Record<IdentifierKind, RuleReference<IdentifierValueRule>>>>
  /** Only whether a match exists may be answered: no record, no field. */
  hitOnly: boolean
  /** Statistics: rows may be counted, never released. */
  countsOnly: boolean
}

export interface Decision {
  /** `home` for the node's own principals, `agreement` when one matched, `none` otherwise. */
  basis: 'home' | 'agreement' | 'none'
  /** The deciding agreement's id (`home` for own principals), null when none matched. */
  agreementId: string | null
  agreementTitle: string | null
  policyVersion: number
  policyHash: string
  asker: string
  purpose: Purpose | null
  /** Statistics: the smallest count that may leave; null when the decision allows no statistics. */
  minimumCell: number | null
  resources: Readonly<Record<PolicyResource, ResourceDecision>>
}

/** Where a rule that no agreement states comes from, for withheld-field reports and explanations. */
export const defaultDenyRulePath = '(default deny)'
export const homeRulePath = '(home)'

const ruleFor = <Rule extends FieldRuleName>(rule: Rule, rulePath: string): RuleReference<Rule> => ({
  rule,
  rulePath,
})

function allFields(resource: PolicyResource, rule: FieldRuleName, rulePath: string) {
  return Object.fromEntries(
    Object.keys(resourceModels[resource].fields).map((field) => [field, ruleFor(rule, rulePath)]),
  )
}

function deniedResource(resource: PolicyResource, rulePath: string): ResourceDecision {
  return {
    rows: 'deny',
    fields: allFields(resource, 'omit', rulePath),
    identifierValues: {},
    hitOnly: false,
    countsOnly: false,
  }
}

const deniedResources = Object.fromEntries(
  policyResources.map((resource) => [resource, deniedResource(resource, defaultDenyRulePath)]),
) as Record<PolicyResource, ResourceDecision>

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (purposes as readonly string[]).includes(value)
}

/** Whether an agreement names the asker, directly, through a named group or a built-in one. */
export function agreementNames(
  policy: Policy,
  entries: readonly string[],
  asker: string,
  roles: TrustRoles,
): boolean {
  return entries.some((entry) => {
    if (entry === asker) return true
    if (entry === 'all') return Object.hasOwn(roles, asker)
    if (entry === 'member' || entry === 'partner' || entry === 'secretariat') return roles[asker] === entry
    return policy.groups.get(entry)?.has(asker) ?? false
  })
}

function noDecision(policy: Policy, asker: string, purpose: Purpose | null): Decision {
  return {
    basis: 'none',
    agreementId: null,
    agreementTitle: null,
    policyVersion: policy.version,
    policyHash: policy.hash,
    asker,
    purpose,
    minimumCell: null,
    resources: deniedResources,
  }
}

/** The decision for another agency's request: the first agreement that covers it, or none. */
export function decide(policy: Policy, request: DecisionRequest): Decision {
  const purpose = isPurpose(request.purpose) ? request.purpose : null
  if (purpose === null) return noDecision(policy, request.asker, null)
  const instant = request.at.getTime()
  const agreement = policy.agreements.find(
    (candidate) =>
      candidate.purposes.has(purpose) &&
      candidate.startsAt.getTime() <= instant &&
      instant < candidate.endsBefore.getTime() &&
      agreementNames(policy, candidate.with, request.asker, request.roles),
  )
  if (!agreement) return noDecision(policy, request.asker, purpose)
  const statistics = purpose === 'STATISTICS'
  const resources = {} as Record<PolicyResource, ResourceDecision>
  for (const resource of policyResources) {
    const compiled = agreement.resources[resource]
    if (!compiled) {
      resources[resource] = deniedResource(resource, `resources.${resource}`)
    } else if (statistics || compiled.hitOnly) {
      const rulePath = statistics ? 'purposes' : `resources.${resource}.hitOnly`
      resources[resource] = {
        rows: compiled.rows,
        fields: allFields(resource, 'omit', rulePath),
        identifierValues: {},
        hitOnly: !statistics,
        countsOnly: statistics,
      }
    } else {
      resources[resource] = {
        rows: compiled.rows,
        fields: compiled.fields,
        identifierValues: compiled.identifierValues ?? {},
        hitOnly: false,
        countsOnly: false,
      }
    }
  }
  return {
    basis: 'agreement',
    agreementId: agreement.id,
    agreementTitle: agreement.title,
    policyVersion: policy.version,
    policyHash: policy.hash,
    asker: request.asker,
    purpose,
    minimumCell: statistics ? agreement.minimumCell : null,
    resources,
  }
}

const homeIdentifierValues = Object.fromEntries(
  identifierKinds.map((kind) => [kind, ruleFor('allow' as const, homeRulePath)]),
) as Record<IdentifierKind, RuleReference<IdentifierValueRule>>

const homeFields = Object.fromEntries(
  policyResources.map((resource) => [resource, allFields(resource, 'allow', homeRulePath)]),
) as Record<PolicyResource, Record<string, RuleReference>>

/** The built-in rule for the node's own principals: every row up to their clearance, every field. */
export function homeDecision(policy: Policy, agency: string, clearance: Tlp): Decision {
  const resources = Object.fromEntries(
    policyResources.map((resource) => [
      resource,
      {
        rows: { tlpCeiling: clearance },
        fields: homeFields[resource],
        identifierValues: resource === 'identifiers' ? homeIdentifierValues : {},
        hitOnly: false,
        countsOnly: false,
      } satisfies ResourceDecision,
    ]),
  ) as Record<PolicyResource, ResourceDecision>
  return {
    basis: 'home',
    agreementId: homeAgreementId,
    agreementTitle: 'The node’s own principals, up to their clearance',
    policyVersion: policy.version,
    policyHash: policy.hash,
    asker: agency,
    purpose: null,
    minimumCell: null,
    resources,
  }
}

function lowerTlp(a: Tlp, b: Tlp): Tlp {
  return tlpLevels.indexOf(a) <= tlpLevels.indexOf(b) ? a : b
}

/** A decision whose row filters never reach above the given clearance. */
export function capToClearance(decision: Decision, clearance: Tlp): Decision {
  const resources = Object.fromEntries(
    policyResources.map((resource) => {
      const current = decision.resources[resource]
      if (current.rows === 'deny') return [resource, current]
      return [
        resource,
        { ...current, rows: { ...current.rows, tlpCeiling: lowerTlp(current.rows.tlpCeiling, clearance) } },
      ]
    }),
  ) as Record<PolicyResource, ResourceDecision>
  return { ...decision, resources }
}

export interface PrincipalContext {
  /** The agency of the node that answers. */
  agency: string
  at: Date
  roles: TrustRoles
}

/**
 * The decision for a verified principal: the home rule for the node's own officers and systems;
 * for a peer (another agency asking through federation), the policy for its agency and stated
 * purpose, never above the asking officer's clearance; anything else gets nothing.
 */
export function decideForPrincipal(
  policy: Policy,
  principal: Principal,
  context: PrincipalContext,
): Decision {
  const own = principal.agency === context.agency
  if (principal.kind !== 'peer') {
    return own
      ? homeDecision(policy, context.agency, principal.clearance)
      : noDecision(policy, principal.agency, null)
  }
  if (own) return noDecision(policy, principal.agency, null)
  const decision = decide(policy, {
    asker: principal.agency,
    purpose: principal.purpose,
    at: context.at,
    roles: context.roles,
  })
  return decision.basis === 'agreement' ? capToClearance(decision, principal.clearance) : decision
}
