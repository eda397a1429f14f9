/**
 * Checks a policy document against schema/policy.schema.json and then against the rules a schema
 * cannot express (unknown groups, duplicate ids, date order ...). Every problem is reported as a
 * path and a reason, `agreements[2].resources.persons.fields.dateOfBirth: unknown rule "blur"`,
 * so an operator finds the line without reading code.
 */
import { readFileSync } from 'node:fs'
import type { ErrorObject } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats'
import { fieldRuleNames } from './resources.ts'

export interface PolicyIssue {
  /** Where: a dotted path with list indexes, `agreements[2].with[0]`, or `(document)`. */
  path: string
  /** Why, in a few words: `unknown rule "blur"`. */
  reason: string
  /** What would be accepted there, when the schema says. */
  hint?: string
}

export function formatIssue(issue: PolicyIssue): string {
  return `${issue.path}: ${issue.reason}`
}

/** A policy that cannot be used: the message lists every issue, one per line, after an optional heading. */
export class PolicyError extends Error {
  readonly issues: readonly PolicyIssue[]
  constructor(issues: readonly PolicyIssue[], heading?: string) {
    const lines = issues.map(formatIssue).join('\n')
    super(heading ? `${heading}\n${lines}` : lines)
    this.name = 'PolicyError'
    this.issues = issues
  }
}

export const builtInGroups = ['member', 'partner', 'secretariat', 'all'] as const
export type BuiltInGroup = (typeof builtInGroups)[number]

/** An id no agreement may take: decisions for the node's own principals carry it. */
export const homeAgreementId = 'home'

export const policySchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../../schema/policy.schema.json', import.meta.url), 'utf8'),
)

// ajv-formats is CommonJS: Node hands over module.exports, whose `default` is the plugin itself.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true })
ajv.addVocabulary(['x-noun', 'x-member', 'x-expected'])
addFormats(ajv, ['date'])
const validateSchema = ajv.compile(policySchema)

interface Annotated {
  'x-noun'?: string
  'x-member'?: string
  'x-expected'?: string
  properties?: Record<string, unknown>
  enum?: unknown[]
}

const typeNames: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
}

/** Decodes a JSON pointer and writes it as `a.b[2].c`, telling list indexes from numeric keys by the data. */
export function pathOf(document: unknown, pointer: string, extra?: string): string {
  const segments =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (extra !== undefined) segments.push(extra)
  let path = ''
  let node: unknown = document
  for (const segment of segments) {
    if (Array.isArray(node)) {
      path += `[${segment}]`
      node = node[Number(segment)]
    } else {
      path += path === '' ? segment : `.${segment}`
      node =
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined
    }
  }
  return path === '' ? '(document)' : path
}

const quote = (value: unknown) => JSON.stringify(value)

function describeSchemaError(document: unknown, error: ErrorObject): PolicyIssue | null {
  const parent = (error.parentSchema ?? {}) as Annotated
  const at = (extra?: string) => pathOf(document, error.instancePath, extra)
  switch (error.keyword) {
    case 'required':
      return { path: at(String(error.params.missingProperty)), reason: 'is required' }
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty)
      const known = Object.keys(parent.properties ?? {})
      return {
        path: at(name),
        reason: `unknown ${parent['x-member'] ?? 'setting'} ${quote(name)}`,
        ...(known.length > 0 ? { hint: `expected one of: ${known.join(', ')}` } : {}),
      }
    }
    case 'enum': {
      const noun = parent['x-noun'] ?? 'value'
      const allowed = (parent.enum ?? []).map(String)
      const hint = `expected one of: ${allowed.join(', ')}`
      if (noun === 'rule' && (fieldRuleNames as readonly unknown[]).includes(error.data)) {
        return { path: at(), reason: `rule ${quote(error.data)} does not apply here`, hint }
      }
      return { path: at(), reason: `unknown ${noun} ${quote(error.data)}`, hint }
    }
    case 'type':
      return { path: at(), reason: `must be ${typeNames[String(error.params.type)] ?? error.params.type}` }
    case 'pattern':
    case 'format':
      return {
        path: at(),
        reason: `must be ${parent['x-expected'] ?? `in the form ${error.schema}`}, not ${quote(error.data)}`,
      }
    case 'minItems':
      return { path: at(), reason: 'must not be empty' }
    case 'minProperties':
      return { path: at(), reason: 'must list at least one entry' }
    case 'uniqueItems': {
      const list = error.data as unknown[]
      return { path: at(), reason: `lists ${quote(list[Number(error.params.j)])} twice` }
    }
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'maxLength':
      return { path: at(), reason: error.message ?? 'is out of range' }
    case 'propertyNames':
      // The name itself is reported by the nested `pattern` error, with the key as its data.
      return null
    default:
      return { path: at(), reason: error.message ?? 'is not valid' }
  }
}

function schemaIssues(document: unknown): PolicyIssue[] {
  if (validateSchema(document)) return []
  const issues: PolicyIssue[] = []
  for (const error of validateSchema.errors ?? []) {
    if (error.propertyName !== undefined) {
      issues.push({
        path: pathOf(document, error.instancePath, error.propertyName),
        reason: `must be a group name in lower case like mekong, not ${quote(error.propertyName)}`,
      })
      continue
    }
    const issue = describeSchemaError(document, error)
    if (issue) issues.push(issue)
  }
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = formatIssue(issue)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** The document as the schema describes it; only valid once `validatePolicyDocument` found no issue. */
export interface PolicyDocument {
  version: number
  agency?: string
  description?: string
  groups?: Record<string, string[]>
  agreements: AgreementDocument[]
}

export interface AgreementDocument {
  id: string
  title: string
  description?: string
  with: string[]
  purposes: string[]
  validFrom: string
  validTo: string
  minimumCell?: number
  resources: Partial<Record<string, ResourceDocument>>
}

export interface ResourceDocument {
  rows?: Record<string, unknown>
  fields?: Record<string, string>
  kinds?: Record<string, string>
  otherFields?: 'allow' | 'omit'
  hitOnly?: boolean
}

const isBuiltInGroup = (name: string) => (builtInGroups as readonly string[]).includes(name)
const isAgencyCode = (entry: string) => /^[A-Z]{2}-/.test(entry)

function semanticIssues(document: PolicyDocument): PolicyIssue[] {
  const issues: PolicyIssue[] = []
  const groups = document.groups ?? {}
  for (const name of Object.keys(groups)) {
    if (isBuiltInGroup(name)) {
      issues.push({
        path: `groups.${name}`,
        reason: `${quote(name)} is a built-in group and cannot be redefined`,
      })
    }
  }
  const firstIndexOfId = new Map<string, number>()
  document.agreements.forEach((agreement, index) => {
    const at = `agreements[${index}]`
    if (agreement.id === homeAgreementId) {
      issues.push({
        path: `${at}.id`,
        reason: `${quote(homeAgreementId)} is reserved for the node's own principals`,
      })
    }
    const earlier = firstIndexOfId.get(agreement.id)
    if (earlier === undefined) firstIndexOfId.set(agreement.id, index)
    else
      issues.push({
        path: `${at}.id`,
        reason: `duplicate agreement id ${quote(agreement.id)} (also agreements[${earlier}])`,
      })
    agreement.with.forEach((entry, entryIndex) => {
      if (!isAgencyCode(entry) && !isBuiltInGroup(entry) && !Object.hasOwn(groups, entry)) {
        issues.push({
          path: `${at}.with[${entryIndex}]`,
          reason: `unknown group ${quote(entry)}`,
          hint: `define it under groups, or use one of: ${builtInGroups.join(', ')}`,
        })
      }
    })
    if (agreement.validTo < agreement.validFrom) {
      issues.push({ path: `${at}.validTo`, reason: `is before validFrom (${agreement.validFrom})` })
    }
    const statistics = agreement.purposes.includes('STATISTICS')
    if (statistics && agreement.minimumCell === undefined) {
      issues.push({ path: `${at}.minimumCell`, reason: 'is required when the purposes include STATISTICS' })
    }
    if (!statistics && agreement.minimumCell !== undefined) {
      issues.push({ path: `${at}.minimumCell`, reason: 'applies only when the purposes include STATISTICS' })
    }
    const statisticsOnly = statistics && agreement.purposes.length === 1
    for (const [resource, rules] of Object.entries(agreement.resources)) {
      if (!rules) continue
      const resourceAt = `${at}.resources.${resource}`
      const releasesFields = rules.fields !== undefined || rules.otherFields === 'allow'
      if (rules.hitOnly && releasesFields) {
        issues.push({
          path: `${resourceAt}.${rules.fields !== undefined ? 'fields' : 'otherFields'}`,
          reason: 'a hit-only resource releases no fields',
        })
      }
      if (statisticsOnly && (releasesFields || rules.hitOnly)) {
        issues.push({
          path: `${resourceAt}.${rules.hitOnly ? 'hitOnly' : rules.fields !== undefined ? 'fields' : 'otherFields'}`,
          reason: 'a statistics-only agreement releases counts, never records or fields',
        })
      }
    }
  })
  return issues
}

/** All the problems of a parsed policy document; none means it can be compiled. */
export function validatePolicyDocument(document: unknown): PolicyIssue[] {
  const issues = schemaIssues(document)
  if (issues.length > 0) return issues
  return semanticIssues(document as PolicyDocument)
}
