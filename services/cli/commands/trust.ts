/**
 * `jaring trust`: the secretariat's tool for the federation's trust list.
 *
 *   trust init    creates the secretariat's signing key and a draft list with the secretariat on it
 *   trust add     adds or replaces a member in the draft (its public keys from a JWKS file)
 *   trust remove  removes a member from the draft
 *   trust sign    signs the draft: sets the validity window, raises the version when the content
 *                 changed since the last signing, writes the compact JWS
 *   trust verify  checks a signed list against the trust anchor and prints it (what a node does)
 *
 * The draft (`trust-list.json`) is unsigned JSON; only the signed file goes to the nodes.
 * docs/protocol.md, "Trust list", describes the format.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import { agencyCodePattern } from '../../../schema/vocabulary.ts'
import {
  allowedAlgorithms,
  createSigningKey,
  type JsonWebKeySet,
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  readPublicJwksOfPrivateKey,
  type SigningAlgorithm,
  writeSigningKeyFiles,
} from '../../node/auth/keys.ts'
import {
  createTrustListDraft,
  decodeTrustListUnverified,
  formatTrustListIssue,
  isTrustListError,
  parseTrustListDraft,
  prepareTrustList,
  readTrustAnchor,
  removeTrustMember,
  type SignedVersion,
  signTrustList,
  type TrustAnchor,
  type TrustList,
  type TrustListDraft,
  TrustListError,
  type TrustListIssue,
  type TrustMember,
  type TrustRole,
  trustListContentDigest,
  upsertTrustMember,
  validateTrustList,
  verifyTrustList,
} from '../../node/federation/trust-list.ts'
import { CliError, exitCodes } from '../cli-error.ts'

const signingKeyBase = 'secretariat'
const draftFile = 'trust-list.json'
const defaultValidDays = 30
const maxValidDays = 366
const dayMs = 86_400_000

function relativeToCwd(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative
}

// --- Option parsers ------------------------------------------------------------------------------

function parseAgency(value: string): string {
  const code = value.toUpperCase()
  if (!agencyCodePattern.test(code))
    throw new InvalidArgumentError(
      'must be an agency code like TH-RTP (country, hyphen, 2-10 letters or digits).',
    )
  return code
}

function parseCountry(value: string): string {
  const code = value.toUpperCase()
  if (!/^[A-Z]{2}$/.test(code)) throw new InvalidArgumentError('must be an ISO 3166-1 alpha-2 code like TH.')
  return code
}

function parseName(value: string): string {
  const name = value.trim()
  if (name === '' || name.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters.')
  return name
}

function parseMemberRole(value: string): TrustRole {
  if (value !== 'member' && value !== 'partner' && value !== 'secretariat')
    throw new InvalidArgumentError('must be member or partner (secretariat only for the list\u2019s issuer).')
  return value
}

/** Only a trailing slash is tidied away; everything else the schema checks, naming the option. */
function parseUrl(value: string): string {
  return value.trim().replace(/\/+$/, '')
}

function parseValidDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > maxValidDays)
    throw new InvalidArgumentError(`must be a whole number of days from 1 to ${maxValidDays}.`)
  return Number(value)
}

function parseAlgorithm(value: string): SigningAlgorithm {
  if (!(allowedAlgorithms as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${allowedAlgorithms.join(', ')}.`)
  return value as SigningAlgorithm
}

function parseVersion(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('must be a whole number from 1.')
  return Number(value)
}

// --- Files ---------------------------------------------------------------------------------------

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CliError(
      `cannot read ${what} ${relativeToCwd(file)} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unknown error')})`,
      exitCodes.usage,
    )
  }
}

/** Writes through a temporary file and a rename, so a node watching the file never reads half of it. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, text)
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new CliError(
      `cannot write ${relativeToCwd(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      exitCodes.cantCreate,
    )
  }
}

const issueLines = (issues: readonly TrustListIssue[]) =>
  issues.map((issue) => `  ${formatTrustListIssue(issue)}`).join('\n')

async function readDraft(file: string): Promise<TrustListDraft> {
  const text = await readText(file, 'the trust list draft')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CliError(
      `${relativeToCwd(file)}: is not JSON (${(error as Error).message})`,
      exitCodes.dataError,
    )
  }
  try {
    return parseTrustListDraft(value)
  } catch (error) {
    if (!isTrustListError(error)) throw error
    throw new CliError(
      `${relativeToCwd(file)} is not a valid trust list draft:\n${issueLines(error.issues)}`,
      exitCodes.dataError,
    )
  }
}

const writeDraft = (file: string, draft: TrustListDraft) =>
  writeAtomically(file, `${JSON.stringify(draft, null, 2)}\n`)

async function readMemberKeys(file: string): Promise<JsonWebKeySet> {
  await readText(file, 'the JWKS')
  try {
    return await readJwks(file)
  } catch (error) {
    const message = (error as Error).message
    throw new CliError(
      message.startsWith(file)
        ? message.replace(file, relativeToCwd(file))
        : `${relativeToCwd(file)}: ${message}`,
      exitCodes.dataError,
    )
  }
}

// --- init ----------------------------------------------------------------------------------------

interface InitOptions {
  dir: string
  agency: string
  name: string
  country: string
  url?: string
  jwks?: string
  alg: SigningAlgorithm
}

async function runInit(options: InitOptions): Promise<void> {
  const dir = path.resolve(options.dir)
  const files = [`${signingKeyBase}.private.jwk.json`, `${signingKeyBase}.jwks.json`, draftFile]
  const existing = files.find((file) => existsSync(path.join(dir, file)))
  if (existing)
    throw new CliError(
      `${relativeToCwd(path.join(dir, existing))} already exists: trust init never replaces a signing key or a list`,
      exitCodes.cantCreate,
    )
  const memberKeys = options.jwks ? await readMemberKeys(path.resolve(options.jwks)) : undefined
  // Build the draft before anything touches the disk, so a bad option leaves no half-made folder.
  const probe = (keys: JsonWebKeySet) =>
    createTrustListDraft({
      agency: options.agency,
      name: options.name,
      country: options.country,
      ...(options.url === undefined ? {} : { url: options.url }),
      keys,
    })
  try {
    probe(memberKeys ?? { keys: [(await createSigningKey(options.alg)).publicJwk] })
  } catch (error) {
    throw optionError(error, 0, options.jwks)
  }
  let created: Awaited<ReturnType<typeof writeSigningKeyFiles>>
  try {
    await mkdir(dir, { recursive: true })
    created = await writeSigningKeyFiles(path.join(dir, signingKeyBase), options.alg)
  } catch (error) {
    throw new CliError(
      `cannot create the secretariat key in ${relativeToCwd(dir)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      exitCodes.cantCreate,
    )
  }
  let draft: TrustListDraft
  try {
    draft = probe(memberKeys ?? (await readJwks(created.publicJwksFile)))
  } catch (error) {
    await rm(created.privateKeyFile, { force: true })
    await rm(created.publicJwksFile, { force: true })
    throw optionError(error, 0, options.jwks)
  }
  const list = path.join(dir, draftFile)
  await writeDraft(list, draft)
  const where = (file: string) => relativeToCwd(file)
  process.stdout.write(`Created the trust list of ${options.agency} (${options.name}) in ${where(dir)}:
  ${where(created.privateKeyFile)}   the secretariat's signing key (${options.alg}, kid ${created.kid}): keep it secret
  ${where(created.publicJwksFile)}           its public key: the trust anchor every node is configured with
  ${where(list)}                 the draft list, version 1, with ${options.agency} as the secretariat

Next:
  npx jaring trust add --list ${where(list)} --agency TH-RTP --name "Royal Thai Police" --country TH \\
    --role member --url https://node.rtp.example.th --jwks th/keys/federation.jwks.json
  npx jaring trust sign --list ${where(list)} --key ${where(created.privateKeyFile)} --out trust-list.jws
  npx jaring trust verify --signed trust-list.jws --anchor ${where(created.publicJwksFile)}
`)
}

/**
 * A draft refused because of what the options said: the new member's fields are named by their
 * option (`--url: must be ...`), its keys by the JWKS file.
 */
function optionError(
  error: unknown,
  index: number,
  jwksFile: string | undefined,
  listFile?: string,
): CliError {
  if (!isTrustListError(error)) throw error
  const prefix = `members[${index}].`
  const options: Record<string, string> = {
    agency: '--agency',
    name: '--name',
    country: '--country',
    role: '--role',
    url: '--url',
  }
  const lines = error.issues.map((issue) => {
    if (issue.path === 'role' || issue.path === 'agency') return `--${issue.path}: ${issue.reason}`
    if (!issue.path.startsWith(prefix))
      return `${listFile ? `${relativeToCwd(listFile)}: ` : ''}${formatTrustListIssue(issue)}`
    const rest = issue.path.slice(prefix.length)
    const field = rest.split(/[.[]/)[0] as string
    if (field === 'keys')
      return `${jwksFile ? relativeToCwd(jwksFile) : '(the secretariat key)'}: ${rest.slice('keys.'.length) || 'keys'}: ${issue.reason}`
    return `${options[field] ?? rest}: ${issue.reason}`
  })
  return new CliError(lines.join('\n'), exitCodes.dataError)
}

// --- add / remove --------------------------------------------------------------------------------

interface AddOptions {
  list: string
  agency: string
  name: string
  country: string
  role: TrustRole
  url: string
  jwks: string
}

async function runAdd(options: AddOptions): Promise<void> {
  const list = path.resolve(options.list)
  const draft = await readDraft(list)
  if (options.role === 'secretariat' && options.agency !== draft.issuer)
    throw new CliError(
      `--role: only the list's issuer (${draft.issuer}) is the secretariat; ${options.agency} can be member or partner`,
      exitCodes.usage,
    )
  const jwksFile = path.resolve(options.jwks)
  const keys = await readMemberKeys(jwksFile)
  const member: TrustMember = {
    agency: options.agency,
    name: options.name,
    country: options.country,
    role: options.role,
    url: options.url,
    keys,
  }
  let result: ReturnType<typeof upsertTrustMember>
  try {
    result = upsertTrustMember(draft, member)
  } catch (error) {
    const agencies = [...new Set([...draft.members.map((entry) => entry.agency), options.agency])].sort()
    throw optionError(error, agencies.indexOf(options.agency), jwksFile, list)
  }
  await writeDraft(list, result.draft)
  const kids = keys.keys.map((key) => key.kid).join(', ')
  process.stdout.write(
    `${result.replaced ? 'Replaced' : 'Added'} ${options.agency} (${options.name}, ${options.role}, ${options.url}, keys ${kids}) in ${relativeToCwd(list)}; ${result.draft.members.length} members. Sign the list to publish the change.\n`,
  )
}

async function runRemove(options: { list: string; agency: string }): Promise<void> {
  const list = path.resolve(options.list)
  const draft = await readDraft(list)
  let next: TrustListDraft
  try {
    next = removeTrustMember(draft, options.agency)
  } catch (error) {
    if (!isTrustListError(error)) throw error
    throw new CliError(`${relativeToCwd(list)}: --agency: ${error.issues[0]?.reason}`, exitCodes.dataError)
  }
  await writeDraft(list, next)
  process.stdout.write(
    `Removed ${options.agency} from ${relativeToCwd(list)}; ${next.members.length} members. Sign the list to publish the change.\n`,
  )
}

// --- sign ----------------------------------------------------------------------------------------

interface SignOptions {
  list: string
  key: string
  out: string
  validDays: number
}

async function readSigningKey(file: string): Promise<{ key: PrivateSigningKey; anchor: TrustAnchor }> {
  await readText(file, 'the signing key')
  try {
    return { key: await readPrivateSigningKey(file), anchor: await readPublicJwksOfPrivateKey(file) }
  } catch (error) {
    const message = (error as Error).message
    throw new CliError(
      message.startsWith(file)
        ? message.replace(file, relativeToCwd(file))
        : `${relativeToCwd(file)}: ${message}`,
      exitCodes.dataError,
    )
  }
}

/** The version and content of the list last written to `--out`, so the next one numbers above it. */
async function previousSigning(out: string): Promise<SignedVersion | undefined> {
  if (!existsSync(out)) return undefined
  const text = await readText(out, 'the signed list')
  const refuse = (reason: string) =>
    new CliError(
      `${relativeToCwd(out)} exists but does not hold a signed trust list (${reason}); move it away or choose another --out`,
      exitCodes.dataError,
    )
  let payload: unknown
  try {
    payload = decodeTrustListUnverified(text)
  } catch (error) {
    throw refuse(isTrustListError(error) ? error.message : String(error))
  }
  const issues = validateTrustList(payload)
  if (issues.length > 0) throw refuse(issues.map(formatTrustListIssue).join('; '))
  const list = payload as TrustList
  return { version: list.version, sha256: trustListContentDigest(list) }
}

async function runSign(options: SignOptions): Promise<void> {
  const listFile = path.resolve(options.list)
  const out = path.resolve(options.out)
  const draft = await readDraft(listFile)
  const { key, anchor } = await readSigningKey(path.resolve(options.key))
  const previous = await previousSigning(out)
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000)
  const expiresAt = new Date(issuedAt.getTime() + options.validDays * dayMs)
  let signed: string
  let prepared: ReturnType<typeof prepareTrustList>
  try {
    prepared = prepareTrustList(draft, { issuedAt, expiresAt, ...(previous ? { previous } : {}) })
    signed = await signTrustList(prepared.list, key)
    // What a node will do, before the file leaves the secretariat.
    await verifyTrustList(signed, anchor, { now: issuedAt })
  } catch (error) {
    if (!(error instanceof TrustListError)) throw error
    throw new CliError(
      `${relativeToCwd(listFile)} cannot be signed (${error.code}):\n${issueLines(error.issues)}`,
      exitCodes.dataError,
    )
  }
  const { list, changed, previousVersion } = prepared
  await writeAtomically(out, `${signed}\n`)
  await writeDraft(listFile, {
    ...draft,
    version: list.version,
    signed: {
      version: list.version,
      sha256: trustListContentDigest(list),
      issuedAt: list.issuedAt,
      expiresAt: list.expiresAt,
    },
  })
  const history =
    previousVersion === null
      ? 'first signing'
      : changed
        ? `content changed since version ${previousVersion}`
        : 'content unchanged, validity renewed'
  process.stdout.write(
    `Signed trust list version ${list.version} (${history}) of ${list.issuer} with key ${key.kid} (${key.alg}): ${list.members.length} members, valid until ${list.expiresAt}.\nWrote ${relativeToCwd(out)}.\n`,
  )
}

// --- verify --------------------------------------------------------------------------------------

interface VerifyOptions {
  signed: string
  anchor: string
  minVersion?: number
  json?: boolean
}

function describeList(file: string, list: TrustList, kid: string, alg: string): string {
  const daysLeft = Math.floor((Date.parse(list.expiresAt) - Date.now()) / dayMs)
  const rows = list.members.map((member) => [
    member.agency,
    member.role,
    member.country,
    member.name,
    member.url ?? '(no node)',
    `keys ${member.keys.keys.map((entry) => `${entry.kid} (${entry.alg})`).join(', ')}`,
  ])
  const widths = [0, 1, 2, 3, 4].map((column) =>
    Math.max(...rows.map((row) => (row[column] as string).length)),
  )
  const lines = rows.map(
    (row) =>
      `  ${row.map((cell, column) => (column < 5 ? cell.padEnd(widths[column] as number) : cell)).join('  ')}`,
  )
  return [
    `${file}: valid trust list version ${list.version}, issued by ${list.issuer} at ${list.issuedAt}`,
    `expires ${list.expiresAt} (${daysLeft >= 1 ? `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}` : 'within a day'}); signed with key ${kid} (${alg})`,
    `${list.members.length} member${list.members.length === 1 ? '' : 's'}:`,
    ...lines,
    '',
  ].join('\n')
}

async function runVerify(options: VerifyOptions): Promise<void> {
  const signedFile = path.resolve(options.signed)
  const anchorFile = path.resolve(options.anchor)
  const text = await readText(signedFile, 'the signed list')
  await readText(anchorFile, 'the trust anchor')
  let anchor: TrustAnchor
  try {
    anchor = await readTrustAnchor(anchorFile)
  } catch (error) {
    if (!isTrustListError(error)) throw error
    throw new CliError(
      `the trust anchor is not usable (${error.code}): ${error.message.replace(anchorFile, relativeToCwd(anchorFile))}`,
      exitCodes.dataError,
    )
  }
  try {
    const verified = await verifyTrustList(text, anchor, {
      ...(options.minVersion === undefined ? {} : { minimumVersion: options.minVersion }),
    })
    process.stdout.write(
      options.json
        ? `${JSON.stringify(verified.list, null, 2)}\n`
        : describeList(relativeToCwd(signedFile), verified.list, verified.kid, verified.alg),
    )
  } catch (error) {
    if (!isTrustListError(error)) throw error
    throw new CliError(
      `${relativeToCwd(signedFile)} is refused (${error.code}):\n${issueLines(error.issues)}`,
      exitCodes.dataError,
    )
  }
}

// --- Registration --------------------------------------------------------------------------------

export function addTrustCommand(program: Command): void {
  const trust = program
    .command('trust')
    .description("the federation's signed trust list: create the secretariat key, edit, sign, verify")
  trust
    .command('init')
    .description("create the secretariat's signing key and a draft list with the secretariat on it")
    .requiredOption('--dir <dir>', 'folder for the key and the draft (created if missing)')
    .requiredOption('--agency <code>', "the secretariat's agency code, e.g. ID-ASEANSEC", parseAgency)
    .requiredOption('--name <name>', "the secretariat's name", parseName)
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code', parseCountry)
    .option('--url <url>', "the secretariat's node URL, if it runs one", parseUrl)
    .option('--jwks <file>', "the secretariat node's public keys (default: the new signing key's)")
    .option('--alg <alg>', `signing algorithm: ${allowedAlgorithms.join(' or ')}`, parseAlgorithm, 'EdDSA')
    .action((options: InitOptions) => runInit(options))
  trust
    .command('add')
    .description('add a member to the draft, or replace the entry with the same agency code')
    .requiredOption('--list <file>', 'the draft, trust-list.json')
    .requiredOption('--agency <code>', 'agency code, e.g. TH-RTP', parseAgency)
    .requiredOption('--name <name>', 'agency name', parseName)
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code', parseCountry)
    .requiredOption('--role <role>', 'member or partner', parseMemberRole)
    .requiredOption('--url <url>', "the node's base URL (http or https)", parseUrl)
    .requiredOption('--jwks <file>', "the node's public keys, e.g. keys/federation.jwks.json")
    .action((options: AddOptions) => runAdd(options))
  trust
    .command('remove')
    .description('remove a member from the draft')
    .requiredOption('--list <file>', 'the draft, trust-list.json')
    .requiredOption('--agency <code>', 'agency code', parseAgency)
    .action((options: { list: string; agency: string }) => runRemove(options))
  trust
    .command('sign')
    .description('sign the draft (the version rises when the content changed) and write the compact JWS')
    .requiredOption('--list <file>', 'the draft, trust-list.json')
    .requiredOption('--key <file>', "the secretariat's private JWK")
    .requiredOption(
      '--out <file>',
      'where to write the signed list (the previous one there sets the version floor)',
    )
    .option(
      '--valid-days <n>',
      `days until the list expires (1-${maxValidDays})`,
      parseValidDays,
      defaultValidDays,
    )
    .action((options: SignOptions) => runSign(options))
  trust
    .command('verify')
    .description(
      'verify a signed list against the trust anchor and print it (exit 65 with the reason if refused)',
    )
    .requiredOption('--signed <file>', 'the signed list (compact JWS)')
    .requiredOption('--anchor <file>', "the secretariat's public JWKS (or JWK)")
    .option('--min-version <n>', 'refuse a version lower than this (rollback)', parseVersion)
    .option('--json', 'print the verified document as JSON')
    .action((options: VerifyOptions) => runVerify(options))
}
