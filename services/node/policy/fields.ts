/**
 * Field rules, applied to a row before it is serialised: a withheld value is replaced here, so it
 * never reaches a resolver, a serialiser or the response bytes. What was withheld is reported as
 * paths and rule references, never values.
 */
import type { IdentifierKind } from '../../../schema/vocabulary.ts'
import type { RuleReference } from './compile.ts'
import { type Decision, defaultDenyRulePath, type ResourceDecision } from './decide.ts'
import {
  generaliseToYear,
  identifierValueFields,
  maskValue,
  type PolicyResource,
  resourceModels,
  type WithholdingRule,
} from './resources.ts'

/** One withheld field of one record: where, by which rule, under which agreement. Never the value. */
export interface WithheldField {
  /** The field's path in the answer (the caller's prefix, then the field): `dateOfBirth`, `persons[2].notes`. */
  path: string
  rule: WithholdingRule
  /** The deciding agreement, null when no agreement matched (deny by default). */
  agreementId: string | null
  /** The rule's place in the agreement, `resources.persons.fields.dateOfBirth`. */
  rulePath: string
}

export interface FieldRuled<Row> {
  value: Row
  withheld: WithheldField[]
}

const maskDefault: RuleReference<'mask'> = { rule: 'mask', rulePath: defaultDenyRulePath }

function yearOf(value: unknown): string | null {
  if (typeof value === 'string') return generaliseToYear(value)
  if (value instanceof Date && !Number.isNaN(value.getTime())) return String(value.getUTCFullYear())
  return null
}

/** The value rule of an identifier row: its kind's rule; a kind the decision does not list is masked. */
export function identifierValueRule(
  decision: ResourceDecision,
  kind: unknown,
): RuleReference<'allow' | 'mask'> {
  return decision.identifierValues[kind as IdentifierKind] ?? maskDefault
}

/**
 * The row as the decision releases it, and what was withheld. Every field a rule withholds is
 * reported whether or not the row had a value there, so the report itself reveals nothing about
 * the data. Fields the policy does not govern (ids, TLP, status ...) pass through unchanged; the
 * row is returned as is when nothing is withheld.
 */
export function applyFieldRules<Row extends Record<string, unknown>>(
  resource: PolicyResource,
  row: Row,
  decision: Decision,
  pathPrefix = '',
): FieldRuled<Row> {
  const resourceDecision = decision.resources[resource]
  const model = resourceModels[resource]
  const withheld: WithheldField[] = []
  let released: Record<string, unknown> | null = null
  const write = (field: string, value: unknown) => {
    released ??= { ...row }
    released[field] = value
  }
  const report = (field: string, rule: WithholdingRule, rulePath: string) =>
    withheld.push({ path: `${pathPrefix}${field}`, rule, agreementId: decision.agreementId, rulePath })

  for (const [field, definition] of Object.entries(model.fields)) {
    const { rule, rulePath } = resourceDecision.fields[field] ?? {
      rule: 'omit',
      rulePath: defaultDenyRulePath,
    }
    if (rule === 'allow') continue
    if (rule === 'generaliseYear') {
      const year = yearOf(row[field])
      write(field, year)
      for (const companion of definition.companions) write(companion, year === null ? null : 'YEAR')
    } else if (rule === 'mask' && typeof row[field] === 'string') {
      write(field, maskValue(row[field] as string))
    } else {
      write(field, definition.omitted === null ? null : [])
      for (const companion of definition.companions) write(companion, null)
    }
    report(field, rule === 'mask' && typeof row[field] !== 'string' ? 'omit' : rule, rulePath)
  }

  if (resource === 'identifiers') {
    const { rule, rulePath } = identifierValueRule(resourceDecision, row.kind)
    if (rule === 'mask') {
      for (const field of identifierValueFields) {
        const value = row[field]
        write(field, typeof value === 'string' ? maskValue(value) : null)
        report(field, 'mask', rulePath)
      }
    }
  }
  return { value: (released ?? row) as Row, withheld }
}
