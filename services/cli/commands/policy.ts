/**
 * `jaring policy check FILE`: validates a data-sharing policy and summarises it (exit 0), or lists
 * every problem as path and reason (exit 65).
 * `jaring policy explain`: what an agency would see of one record, and which rule decided each field.
 */
import { readFile } from 'node:fs/promises'
import { type Command, InvalidArgumentError } from 'commander'
import { openDatabase } from '../../../db/open.ts'
import { agencyCodePattern } from '../../../schema/vocabulary.ts'
import { ConfigError, databaseUrl, loadConfig, resolveConfigPath } from '../../node/config.ts'
import { isJaringError } from '../../node/errors.ts'
import { denyAllPolicy, parsePolicy } from '../../node/policy/compile.ts'
import { isPurpose, type TrustRole, type TrustRoles } from '../../node/policy/decide.ts'
import { type Explanation, explain, type RecordExplanation } from '../../node/policy/explain.ts'
import { explainReader, loadExplainRecord } from '../../node/policy/record-source.ts'
import { readPolicyFile } from '../../node/policy/store.ts'
import {
  type AgreementSummary,
  policyWarnings,
  type ResourceSummary,
  summariseAgreement,
} from '../../node/policy/summary.ts'
import { formatIssue, PolicyError, type PolicyIssue } from '../../node/policy/validate.ts'
import { createRecordRepositories } from '../../node/records/index.ts'
import { CliError, exitCodes } from '../cli-error.ts'

function issueLines(issues: readonly PolicyIssue[]): string {
  return issues
    .map((issue) => `  ${formatIssue(issue)}${issue.hint ? `\n      ${issue.hint}` : ''}`)
    .join('\n')
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

function describeRows(resource: ResourceSummary): string {
  const parts = [`TLP up to ${resource.tlpCeiling}`]
  if (resource.crimeCategories) parts.push(`crime categories ${resource.crimeCategories.join(', ')}`)
  if (resource.personRoles) parts.push(`roles ${resource.personRoles.join(', ')}`)
  if (resource.handlingCodes) parts.push(`handling codes ${resource.handlingCodes.join(', ')}`)
  if (resource.identifierKinds) {
    parts.push(`kinds ${resource.identifierKinds.map(({ field, rule }) => `${field} (${rule})`).join(', ')}`)
  }
  return parts.join('; ')
}

function describeFields(resource: ResourceSummary): string {
  if (resource.hitOnly) return 'hit/no-hit only: no record, no field'
  if (resource.countsOnly) return 'counted for statistics only: no record, no field'
  const byRule = new Map<string, string[]>()
  for (const { field, rule } of resource.fields) byRule.set(rule, [...(byRule.get(rule) ?? []), field])
  return (
    [...byRule.entries()].map(([rule, fields]) => `${rule} ${fields.join(', ')}`).join('; ') ||
    'no governed fields'
  )
}

export function describeAgreement(
  agreement: AgreementSummary,
  position: number,
  groups: ReadonlyMap<string, ReadonlySet<string>>,
): string {
  const named = agreement.with.map((entry) => {
    const members = groups.get(entry)
    return members ? `${entry} (${[...members].join(', ')})` : entry
  })
  const lines = [
    `  ${position}. ${agreement.id}: ${agreement.title}`,
    `     with ${named.join(', ')}; for ${agreement.purposes.join(', ')}; ${agreement.validFrom} to ${agreement.validTo}`,
  ]
  if (agreement.minimumCell !== null)
    lines.push(`     statistics: cells under ${agreement.minimumCell} suppressed`)
  if (agreement.resources.length === 0) lines.push('     shares nothing')
  for (const resource of agreement.resources) {
    lines.push(`     ${resource.resource}: ${describeRows(resource)}`)
    lines.push(`       fields: ${describeFields(resource)}`)
  }
  return lines.join('\n')
}

async function checkPolicy(file: string): Promise<void> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      exitCodes.usage,
    )
  }
  try {
    const policy = parsePolicy(text, file)
    const warnings = policyWarnings(policy, new Date())
    const out = [
      `${file}: valid policy${policy.agency ? ` of ${policy.agency}` : ''}, version ${policy.version}, sha256 ${policy.hash}`,
      policy.agreements.length === 0
        ? 'No agreements: nothing is shared with any other agency (deny by default).'
        : `${plural(policy.agreements.length, 'agreement')}; the first that matches a request decides:`,
      ...policy.agreements.map((agreement, index) =>
        describeAgreement(summariseAgreement(agreement), index + 1, policy.groups),
      ),
    ]
    if (warnings.length > 0) out.push(`${plural(warnings.length, 'note')}:`, issueLines(warnings))
    process.stdout.write(`${out.join('\n')}\n`)
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error
    throw new CliError(
      `${file} is not a valid policy (${plural(error.issues.length, 'problem')}):\n${issueLines(error.issues)}`,
      exitCodes.dataError,
    )
  }
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)'
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string') return JSON.stringify(value)
  return JSON.stringify(value)
}

function describeRecord(record: RecordExplanation, indent: string): string[] {
  const release = {
    record: 'released',
    hitOnly: 'hit/no-hit answer only',
    countsOnly: 'counted in statistics only',
    none: 'not released',
  }[record.release]
  const lines = [`${indent}${record.resource} ${record.id}: ${release}`]
  for (const reason of record.reasons) lines.push(`${indent}  because ${reason.detail} [${reason.rulePath}]`)
  const width = Math.max(0, ...record.fields.map((field) => field.field.length))
  for (const field of record.fields) {
    lines.push(
      `${indent}  ${field.field.padEnd(width)}  ${field.outcome.padEnd(11)} ${formatValue(field.released)}  [${field.rulePath}]`,
    )
  }
  return lines
}

export function formatExplanation(explanation: Explanation): string {
  const decidedBy =
    explanation.agreementId === null
      ? 'no agreement covers this request: nothing is shared (deny by default)'
      : `agreement ${explanation.agreementId} (${explanation.agreementTitle})`
  const lines = [
    `What ${explanation.asker} would see when asking for ${explanation.purpose}, at ${explanation.at}`,
    `policy version ${explanation.policyVersion}, sha256 ${explanation.policyHash}`,
    `decided by ${decidedBy}`,
    ...describeRecord(explanation.record, ''),
  ]
  if (explanation.identifiers.length > 0) {
    lines.push('identifiers:')
    for (const identifier of explanation.identifiers) lines.push(...describeRecord(identifier, '  '))
  }
  return `${lines.join('\n')}\n`
}

interface StoredRecordQuestion {
  configFile: string
  recordId: string
  asker: string
  purpose: string
  at: Date
  roles: TrustRoles
}

/** Opens the node's policy and database (read only) and explains one stored record. */
export async function explainStoredRecord(question: StoredRecordQuestion): Promise<Explanation> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(question.configFile)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.config)
    throw error
  }
  const policyFile = resolveConfigPath(config, config.policy.file)
  let state: Awaited<ReturnType<typeof readPolicyFile>>
  try {
    state = await readPolicyFile(policyFile, config.agency)
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error
    throw new CliError(
      `${policyFile} is not a valid policy:\n${issueLines(error.issues)}`,
      exitCodes.dataError,
    )
  }
  const policy = state.kind === 'loaded' ? state.policy : denyAllPolicy(config.agency, policyFile)
  const url = databaseUrl(config)
  if (!url || url === 'memory://') {
    throw new CliError(
      `${question.configFile} keeps its records in memory: there is no stored record to explain`,
      exitCodes.usage,
    )
  }
  const database = await openDatabase(url, {
    migrate: false,
    poolMax: 1,
    applicationName: 'jaring-policy-explain',
  })
  try {
    const records = createRecordRepositories(database.db, {
      agency: config.agency,
      country: config.country,
      maxPageSize: config.graphql.maxPageSize,
    })
    const record = await loadExplainRecord(
      records,
      records.access(explainReader(config.agency)),
      question.recordId,
    )
    if (!record)
      throw new CliError(`${config.agency} holds no record ${question.recordId}`, exitCodes.dataError)
    return explain(policy, record, question.asker, question.purpose, {
      at: question.at,
      roles: question.roles,
    })
  } catch (error) {
    if (isJaringError(error)) throw new CliError(error.message, exitCodes.usage)
    throw error
  } finally {
    await database.close()
  }
}

const trustRoles = ['member', 'partner', 'secretariat'] as const

function parseAgency(value: string): string {
  if (!agencyCodePattern.test(value)) throw new InvalidArgumentError('must be an agency code like TH-RTP.')
  return value
}

function parsePurpose(value: string): string {
  if (!isPurpose(value)) {
    throw new InvalidArgumentError('must be one of INVESTIGATION, RESCUE, INTELLIGENCE_ANALYSIS, STATISTICS.')
  }
  return value
}

function parseRole(value: string): TrustRole {
  if (!(trustRoles as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${trustRoles.join(', ')}.`)
  }
  return value as TrustRole
}

function parseInstant(value: string): Date {
  const instant = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value)
  if (Number.isNaN(instant.getTime()))
    throw new InvalidArgumentError('must be a date (2026-03-01) or an ISO date-time.')
  return instant
}

interface ExplainOptions {
  config: string
  record: string
  as: string
  purpose: string
  role?: TrustRole
  at?: Date
  json?: boolean
}

export function addPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('check and explain data-sharing policies')
  policy
    .command('check')
    .description('validate a policy file: a summary (exit 0), or every problem as path and reason (exit 65)')
    .argument('<file>', 'the policy YAML file')
    .action(async (file: string) => checkPolicy(file))
  policy
    .command('explain')
    .description('show what an agency would see of one record, and which rule decided each field')
    .requiredOption('--config <file>', "the node's node.yaml (its database and policy file)")
    .requiredOption('--record <id>', 'the global id of a case, person, syndicate or intelligence report')
    .requiredOption('--as <agency>', 'the asking agency', parseAgency)
    .requiredOption('--purpose <purpose>', 'the purpose of the request', parsePurpose)
    .option(
      '--role <role>',
      "the asking agency's role on the trust list: member, partner or secretariat",
      parseRole,
    )
    .option('--at <date>', 'the instant to evaluate at (default: now)', parseInstant)
    .option('--json', 'print the explanation as JSON')
    .action(async (options: ExplainOptions) => {
      const explanation = await explainStoredRecord({
        configFile: options.config,
        recordId: options.record,
        asker: options.as,
        purpose: options.purpose,
        at: options.at ?? new Date(),
        roles: options.role ? { [options.as]: options.role } : {},
      })
      process.stdout.write(
        options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation),
      )
    })
}
