/**
 * "What would this agency see of this record, and why": the decision for (asker, purpose, instant),
 * the row filters the record passes or fails, and for every field the outcome and the rule that
 * decided it. `jaring policy explain` prints it; the admin GraphQL query returns it.
 */
import type { Policy } from './compile.ts'
import { type Decision, decide, type ResourceDecision, type TrustRoles } from './decide.ts'
import { applyFieldRules, identifierValueRule } from './fields.ts'
import { type FieldRuleName, type PolicyResource, resourceModels } from './resources.ts'
import { type CaseLink, type ReferenceRow, rowMismatches } from './rows.ts'

export interface ExplainRecord {
  resource: PolicyResource
  /** The stored row, field names as in GraphQL. */
  row: Record<string, unknown>
  /** Persons: the cases the person appears in, with the role (for the role and category filters). */
  caseLinks?: readonly CaseLink[]
  /** Persons: the person's identifiers. */
  identifiers?: readonly Record<string, unknown>[]
}

export type FieldOutcome = 'shown' | 'omitted' | 'masked' | 'generalised'

export interface FieldExplanation {
  field: string
  outcome: FieldOutcome
  /** `structural` for fields that always travel with a shared row. */
  rule: FieldRuleName | 'structural'
  /** Where the rule stands in the deciding agreement, or why there is none. */
  rulePath: string
  /** What the asker would receive. */
  released: unknown
}

/** How much of a record leaves the node. */
export type Release = 'record' | 'hitOnly' | 'countsOnly' | 'none'

export interface RowReason {
  detail: string
  rulePath: string
}

export interface RecordExplanation {
  resource: PolicyResource
  id: string
  release: Release
  /** Why the row is not released in full (empty when it is). */
  reasons: RowReason[]
  /** Every field, when the record is released; empty otherwise. */
  fields: FieldExplanation[]
}

export interface Explanation {
  asker: string
  purpose: string
  at: string
  policyVersion: number
  policyHash: string
  basis: Decision['basis']
  agreementId: string | null
  agreementTitle: string | null
  record: RecordExplanation
  /** Persons: each identifier of the person, explained the same way. */
  identifiers: RecordExplanation[]
}

export interface ExplainOptions {
  at?: Date
  roles?: TrustRoles
}

const outcomes: Record<FieldRuleName, FieldOutcome> = {
  allow: 'shown',
  omit: 'omitted',
  mask: 'masked',
  generaliseYear: 'generalised',
}

const structuralRulePath = '(always released with a shared row)'

function recordId(row: Record<string, unknown>): string {
  return String(row.globalId ?? row.id ?? '(unknown)')
}

function releaseOf(decision: ResourceDecision): Release {
  if (decision.rows === 'deny') return 'none'
  if (decision.countsOnly) return 'countsOnly'
  return decision.hitOnly ? 'hitOnly' : 'record'
}

function rowReasons(resource: PolicyResource, decision: ResourceDecision, row: ReferenceRow): RowReason[] {
  return rowMismatches(resource, decision.rows, row).map((mismatch) => ({
    detail: mismatch.detail,
    rulePath:
      mismatch.filter === 'deny'
        ? (Object.values(decision.fields)[0]?.rulePath ?? `resources.${resource}`)
        : mismatch.filter === 'identifierKinds'
          ? 'resources.identifiers.kinds'
          : `resources.${resource}.rows.${mismatch.filter}`,
  }))
}

/** Explains one record under an already made decision. */
export function explainRecord(
  decision: Decision,
  resource: PolicyResource,
  row: Record<string, unknown>,
  caseLinks?: readonly CaseLink[],
): RecordExplanation {
  const resourceDecision = decision.resources[resource]
  const reasons = rowReasons(resource, resourceDecision, { ...(row as unknown as ReferenceRow), caseLinks })
  const release = reasons.length > 0 ? 'none' : releaseOf(resourceDecision)
  if (release === 'hitOnly') {
    reasons.push({
      detail: 'only whether the record matches is answered',
      rulePath: `resources.${resource}.hitOnly`,
    })
  }
  if (release === 'countsOnly') {
    reasons.push({ detail: 'the purpose STATISTICS releases counts, never records', rulePath: 'purposes' })
  }
  if (release !== 'record') return { resource, id: recordId(row), release, reasons, fields: [] }
  const { value } = applyFieldRules(resource, row, decision)
  const model = resourceModels[resource]
  const fields: FieldExplanation[] = model.structural
    .filter((field) => Object.hasOwn(row, field))
    .map((field) => ({
      field,
      outcome: 'shown',
      rule: 'structural',
      rulePath: structuralRulePath,
      released: value[field],
    }))
  for (const field of Object.keys(model.fields)) {
    const { rule, rulePath } = resourceDecision.fields[field]!
    fields.push({ field, outcome: outcomes[rule], rule, rulePath, released: value[field] })
  }
  if (resource === 'identifiers') {
    const { rule, rulePath } = identifierValueRule(resourceDecision, row.kind)
    for (const field of ['value', 'normalised']) {
      fields.push({ field, outcome: outcomes[rule], rule, rulePath, released: value[field] })
    }
  }
  return { resource, id: recordId(row), release, reasons, fields }
}

/** What `asker` would see of the record when asking for `purpose`, and which rule decided each field. */
export function explain(
  policy: Policy,
  record: ExplainRecord,
  asker: string,
  purpose: string,
  options: ExplainOptions = {},
): Explanation {
  const at = options.at ?? new Date()
  const decision = decide(policy, { asker, purpose, at, roles: options.roles ?? {} })
  const main = explainRecord(decision, record.resource, record.row, record.caseLinks)
  const identifiers = (record.identifiers ?? []).map((identifier) => {
    const explained = explainRecord(decision, 'identifiers', identifier)
    if (main.release === 'record' || explained.release === 'none') return explained
    return {
      ...explained,
      release: 'none' as const,
      reasons: [{ detail: 'its person is not released', rulePath: `resources.${record.resource}` }],
      fields: [],
    }
  })
  return {
    asker,
    purpose,
    at: at.toISOString(),
    policyVersion: decision.policyVersion,
    policyHash: decision.policyHash,
    basis: decision.basis,
    agreementId: decision.agreementId,
    agreementTitle: decision.agreementTitle,
    record: main,
    identifiers,
  }
}
