/**
 * Turns a policy file into the compiled `Policy` the node evaluates: parse (YAML), validate (schema
 * and semantics, every problem as path and reason), hash (SHA-256 of the canonical file bytes) and
 * compile (dates to instants, groups to sets, defaults filled in).
 */
import { createHash } from 'node:crypto'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { Purpose } from '../../../schema/index.ts'
import type { CrimeCategory, IdentifierKind, PersonRole, Tlp } from '../../../schema/vocabulary.ts'
import {
  type FieldRuleName,
  type IdentifierValueRule,
  type PolicyResource,
  policyResources,
  type RowFilterName,
  resourceModels,
} from './resources.ts'
import {
  type AgreementDocument,
  type PolicyDocument,
  PolicyError,
  type ResourceDocument,
  validatePolicyDocument,
} from './validate.ts'

/** Row filters of one resource: a row is shared only when every filter given holds. */
export interface RowFilter {
  /** Rows at or below this TLP level only. */
  tlpCeiling: Tlp
  crimeCategories?: readonly CrimeCategory[]
  /** Persons only: with any of these roles in some case (in a case of `crimeCategories`, when given). */
  personRoles?: readonly PersonRole[]
  handlingCodes?: readonly string[]
  /** Identifiers only: of these kinds (an agreement always lists them; the home rule does not restrict them). */
  identifierKinds?: readonly IdentifierKind[]
}

/** A rule as the policy states it, with where it stands in the file. */
export interface RuleReference<Rule extends FieldRuleName = FieldRuleName> {
  rule: Rule
  /** The rule's place in its agreement, `resources.persons.fields.dateOfBirth`. */
  rulePath: string
}

export interface CompiledResource {
  rows: RowFilter
  /** Every ruleable field of the resource, listed or defaulted from `otherFields`. */
  fields: Readonly<Record<string, RuleReference>>
  /** Identifiers only: the rule for the value of each shared kind. */
  identifierValues?: Readonly<Partial<Record<IdentifierKind, RuleReference<IdentifierValueRule>>>>
  hitOnly: boolean
}

export interface CompiledAgreement {
  id: string
  title: string
  /** 0-based position in the file: the first matching agreement decides. */
  index: number
  with: readonly string[]
  purposes: ReadonlySet<Purpose>
  validFrom: string
  validTo: string
  /** The instant the agreement starts applying: validFrom at 00:00 UTC. */
  startsAt: Date
  /** The instant it stops applying: the day after validTo at 00:00 UTC (exclusive). */
  endsBefore: Date
  minimumCell: number | null
  resources: Readonly<Partial<Record<PolicyResource, CompiledResource>>>
}

export interface Policy {
  /** The agency whose node applies the policy; null when the file leaves it to the node. */
  agency: string | null
  version: number
  /** SHA-256 (hex) of the canonical file bytes. */
  hash: string
  groups: ReadonlyMap<string, ReadonlySet<string>>
  agreements: readonly CompiledAgreement[]
  /** Where the policy came from, for log lines and explanations. */
  source: string
}

/** Line endings and a byte-order mark do not change the policy, so they do not change its hash. */
export function canonicalPolicyText(text: string): string {
  return text.replace(/^\uFEFF/, '').replaceAll('\r\n', '\n')
}

export function policyHash(text: string): string {
  return createHash('sha256').update(canonicalPolicyText(text), 'utf8').digest('hex')
}

const defaultTlpCeiling: Tlp = 'GREEN'

function compileRows(resource: PolicyResource, document: ResourceDocument): RowFilter {
  const rows = (document.rows ?? {}) as Partial<Record<RowFilterName, unknown>>
  const filter: RowFilter = { tlpCeiling: (rows.tlpCeiling as Tlp | undefined) ?? defaultTlpCeiling }
  if (rows.crimeCategories) filter.crimeCategories = rows.crimeCategories as CrimeCategory[]
  if (rows.personRoles) filter.personRoles = rows.personRoles as PersonRole[]
  if (rows.handlingCodes) filter.handlingCodes = rows.handlingCodes as string[]
  if (resource === 'identifiers')
    filter.identifierKinds = Object.keys(document.kinds ?? {}) as IdentifierKind[]
  return filter
}

function compileResource(resource: PolicyResource, document: ResourceDocument): CompiledResource {
  const base = `resources.${resource}`
  const otherFields = document.otherFields ?? 'omit'
  const fields: Record<string, RuleReference> = {}
  for (const field of Object.keys(resourceModels[resource].fields)) {
    const listed = document.fields?.[field] as FieldRuleName | undefined
    fields[field] = listed
      ? { rule: listed, rulePath: `${base}.fields.${field}` }
      : { rule: otherFields, rulePath: `${base}.otherFields` }
  }
  const compiled: CompiledResource = {
    rows: compileRows(resource, document),
    fields,
    hitOnly: document.hitOnly === true,
  }
  if (resource === 'identifiers') {
    compiled.identifierValues = Object.fromEntries(
      Object.entries(document.kinds ?? {}).map(([kind, rule]) => [
        kind,
        { rule: rule as IdentifierValueRule, rulePath: `${base}.kinds.${kind}` },
      ]),
    )
  }
  return compiled
}

function compileAgreement(document: AgreementDocument, index: number): CompiledAgreement {
  const endsBefore = new Date(`${document.validTo}T00:00:00Z`)
  endsBefore.setUTCDate(endsBefore.getUTCDate() + 1)
  const resources: Partial<Record<PolicyResource, CompiledResource>> = {}
  for (const resource of policyResources) {
    const rules = document.resources[resource]
    if (rules) resources[resource] = compileResource(resource, rules)
  }
  return {
    id: document.id,
    title: document.title,
    index,
    with: document.with,
    purposes: new Set(document.purposes as Purpose[]),
    validFrom: document.validFrom,
    validTo: document.validTo,
    startsAt: new Date(`${document.validFrom}T00:00:00Z`),
    endsBefore,
    minimumCell: document.minimumCell ?? null,
    resources,
  }
}

export interface CompileOptions {
  /** The SHA-256 of the file the document came from; by default a hash of the document's JSON. */
  hash?: string
  source?: string
}

/** Validates and compiles a parsed policy document; throws a PolicyError listing every problem. */
export function compilePolicy(document: unknown, options: CompileOptions = {}): Policy {
  const issues = validatePolicyDocument(document)
  if (issues.length > 0) throw new PolicyError(issues)
  const valid = document as PolicyDocument
  return {
    agency: valid.agency ?? null,
    version: valid.version,
    hash: options.hash ?? policyHash(JSON.stringify(valid)),
    groups: new Map(Object.entries(valid.groups ?? {}).map(([name, members]) => [name, new Set(members)])),
    agreements: valid.agreements.map(compileAgreement),
    source: options.source ?? '(document)',
  }
}

/** Parses policy YAML text (as read from its file) and compiles it, hashing the canonical bytes. */
export function parsePolicy(text: string, source = '(document)'): Policy {
  let document: unknown
  try {
    document = parseYaml(canonicalPolicyText(text), { uniqueKeys: true, prettyErrors: true })
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0]
      const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      throw new PolicyError([
        { path: `line ${line}, column ${column}`, reason: `is not valid YAML: ${reason}` },
      ])
    }
    throw error
  }
  if (document === null || document === undefined) {
    throw new PolicyError([{ path: '(document)', reason: 'is empty' }])
  }
  return compilePolicy(document, { hash: policyHash(text), source })
}

/** The policy in force when no file exists: no agreement, so nothing is shared with anyone. */
export function denyAllPolicy(agency: string | null, source = '(no policy file)'): Policy {
  return { agency, version: 0, hash: policyHash(''), groups: new Map(), agreements: [], source }
}
