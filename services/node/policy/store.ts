/**
 * The policy in force, loaded from its file and kept current: a change to the file (watched through
 * its folder, so editors that save by rename are seen) or SIGHUP reloads it. A file that does not
 * validate is refused and the previous policy stays in force, with a log line saying why; so is a
 * file that disappears once the node runs. A file missing at start means the deny-all policy.
 */
import { type FSWatcher, watch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { denyAllPolicy, type Policy, parsePolicy } from './compile.ts'
import type { TrustRoles } from './decide.ts'
import { formatIssue, PolicyError } from './validate.ts'

export type PolicyFileState = { kind: 'loaded'; policy: Policy } | { kind: 'missing' }

/** Reads and compiles the policy file; the policy's agency, when it names one, must be the node's. */
export async function readPolicyFile(file: string, agency: string): Promise<PolicyFileState> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { kind: 'missing' }
    throw new PolicyError([{ path: '(file)', reason: `cannot be read (${code ?? 'unknown error'})` }])
  }
  const policy = parsePolicy(text, file)
  if (policy.agency !== null && policy.agency !== agency) {
    throw new PolicyError([{ path: 'agency', reason: `is ${policy.agency}, but this node serves ${agency}` }])
  }
  return { kind: 'loaded', policy: { ...policy, agency } }
}

export type ReloadOutcome =
  | { status: 'loaded'; policy: Policy }
  | { status: 'unchanged'; policy: Policy }
  | { status: 'refused'; policy: Policy; reason: string }

export interface PolicyStoreOptions {
  file: string
  agency: string
  log: FastifyBaseLogger
  /** Watch the file (default true); SIGHUP reloads it either way. */
  watch?: boolean
  /** How long to wait after the last change event before reloading (default 150 ms). */
  debounceMs?: number
}

export interface PolicyStore {
  readonly file: string
  readonly current: Policy
  /** The federation's roles by agency (for the groups member, partner, secretariat, all). */
  trustRoles(): TrustRoles
  /** Where the roles come from: the trust list, once federation provides it; none until then. */
  useTrustRoles(provider: () => TrustRoles): void
  /** Reloads the file now; the outcome says whether the new policy took effect. */
  reload(trigger?: string): Promise<ReloadOutcome>
  close(): void
}

const describe = (policy: Policy) => ({
  policyVersion: policy.version,
  policyHash: policy.hash,
  agreements: policy.agreements.length,
})

function reasonOf(error: unknown): string {
  if (error instanceof PolicyError) return error.issues.map(formatIssue).join('; ')
  return error instanceof Error ? error.message : String(error)
}

/** Loads the policy (refusing to start on a broken file) and keeps it current. */
export async function openPolicyStore(options: PolicyStoreOptions): Promise<PolicyStore> {
  const { file, agency, log } = options
  const initial = await readPolicyFile(file, agency).catch((error: unknown) => {
    if (error instanceof PolicyError) {
      throw new PolicyError(error.issues, `The policy file ${file} is not valid; the node does not start.`)
    }
    throw error
  })
  let current: Policy
  if (initial.kind === 'missing') {
    current = denyAllPolicy(agency, file)
    log.warn({ file }, 'no policy file: nothing is shared with other agencies (deny by default)')
  } else {
    current = initial.policy
    log.info({ file, ...describe(current) }, 'policy loaded')
  }

  let queue: Promise<unknown> = Promise.resolve()
  const reloadNow = async (trigger: string): Promise<ReloadOutcome> => {
    try {
      const state = await readPolicyFile(file, agency)
      if (state.kind === 'missing') {
        const reason = 'the file is missing'
        log.error(
          { file, trigger, reason, ...describe(current) },
          `policy update refused (${reason}); the previous policy stays in force`,
        )
        return { status: 'refused', policy: current, reason }
      }
      if (state.policy.hash === current.hash) return { status: 'unchanged', policy: current }
      const previous = current
      current = state.policy
      log.info(
        {
          file,
          trigger,
          ...describe(current),
          previousVersion: previous.version,
          previousHash: previous.hash,
        },
        'policy reloaded',
      )
      return { status: 'loaded', policy: current }
    } catch (error) {
      const reason = reasonOf(error)
      log.error(
        { file, trigger, reason, ...describe(current) },
        `policy update refused (${reason}); the previous policy stays in force`,
      )
      return { status: 'refused', policy: current, reason }
    }
  }
  const reload = (trigger = 'request'): Promise<ReloadOutcome> => {
    const next = queue.then(() => reloadNow(trigger))
    queue = next.catch(() => undefined)
    return next
  }

  let watcher: FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const onSignal = () => void reload('SIGHUP')
  if (options.watch !== false) {
    const debounceMs = options.debounceMs ?? 150
    const base = path.basename(file)
    try {
      watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
        if (closed || (changed !== null && changed !== base)) return
        clearTimeout(timer)
        timer = setTimeout(() => void reload('file change'), debounceMs)
      })
      watcher.on('error', (error) =>
        log.warn({ file, err: error }, 'policy file watch failed; SIGHUP still reloads'),
      )
    } catch (error) {
      log.warn({ file, err: error }, 'cannot watch the policy folder; SIGHUP still reloads')
    }
  }
  // Without a listener, SIGHUP would end the process: it reloads whether or not the file is watched.
  process.on('SIGHUP', onSignal)

  let rolesProvider: () => TrustRoles = () => ({})
  return {
    file,
    get current() {
      return current
    },
    trustRoles: () => rolesProvider(),
    useTrustRoles(provider) {
      rolesProvider = provider
    },
    reload,
    close() {
      closed = true
      clearTimeout(timer)
      watcher?.close()
      process.off('SIGHUP', onSignal)
    },
  }
}
