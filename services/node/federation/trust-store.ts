/**
 * The trust list a node works with: loaded from a file or a URL that holds the signed list (a
 * compact JWS), verified against the trust anchor, and kept current. A change to the file (watched
 * through its folder, so editors and `mv` that replace it are seen), a poll (a URL is always
 * polled) or `reload()` loads it again. A list that fails any check is refused with its reason (an
 * event through the callback and the reload outcome) and the last good list stays in force: a bad
 * update, or a URL that cannot be reached, never throws away a good list. A version lower than the one held is a rollback and refused; so is a
 * different list under the same version. Once the list held expires, `current()` answers nothing
 * (deny by default: no trusted peers) until a fresh list arrives.
 *
 * No Fastify here: a plugin opens the store, decorates the app with it and closes it on close.
 */
import { type FSWatcher, watch } from 'node:fs'
import { open } from 'node:fs/promises'
import path from 'node:path'
import { type Dispatcher, request } from 'undici'
import type { JsonWebKeySet } from '../auth/keys.ts'
import {
  defaultClockToleranceSeconds,
  isTrustListExpired,
  maxSignedTrustListBytes,
  memberOf,
  peersOf,
  rolesOf,
  type TrustAnchor,
  type TrustList,
  TrustListError,
  type TrustListErrorCode,
  type TrustMember,
  type TrustRoles,
  trustAnchorKeys,
  trustListContentDigest,
  type VerifiedTrustList,
  verifyTrustList,
} from './trust-list.ts'

/** Where the signed list (a compact JWS) is read from: a file, or an http(s) URL that is polled. */
export type TrustListSource =
  | { file: string }
  | {
      url: string
      /** The pool to fetch with (the federation's, so the federation CA verifies an https URL). */
      dispatcher?: Dispatcher
      /** How long one fetch may take (default 10 s). */
      timeoutMs?: number
    }

/** A URL is polled this often unless told otherwise: the list's expiry is measured in days. */
export const defaultUrlPollMs = 300_000

export interface TrustStoreOptions {
  source: TrustListSource
  /** The secretariat's public key (JWK or JWKS), from the node's configuration, never from the list. */
  anchor: TrustAnchor
  /** Watch the file's folder and reload on change (default true; a URL has no folder to watch). */
  watch?: boolean
  /** How long to wait after the last change event before reloading (default 150 ms). */
  debounceMs?: number
  /**
   * Also reload every so many milliseconds, for file systems without change events (default 0: off
   * for a file, `defaultUrlPollMs` for a URL).
   */
  pollIntervalMs?: number
  /** A version the node is known to have held before (for example kept in its database): lower is refused. */
  minimumVersion?: number
  /**
   * Told each version taken, and awaited before the reload resolves, so that the caller can keep
   * the floor (`minimumVersion`) for the next start. It must not throw: a failure is its to report.
   */
  keepVersion?: (version: number) => Promise<void>
  /** Slack for issuedAt and expiresAt, in seconds (default 60). */
  clockToleranceSeconds?: number
  /** The current time in milliseconds; tests move it. */
  now?: () => number
  /** Told of every list taken, every update refused and the expiry of the list held. */
  onEvent?: (event: TrustStoreEvent) => void
}

interface EventBase {
  /** A log line, ready to print. */
  message: string
  /** The file or URL the list is read from. */
  source: string
}

export type TrustStoreEvent =
  | (EventBase & {
      type: 'loaded'
      level: 'info'
      trigger: string
      version: number
      previousVersion: number | null
      expiresAt: string
      members: number
      kid: string
      sha256: string
    })
  | (EventBase & {
      type: 'refused'
      level: 'error'
      trigger: string
      code: TrustListErrorCode
      reason: string
      /** The version that stays in force, null when none is held. */
      keptVersion: number | null
    })
  | (EventBase & { type: 'expired'; level: 'error'; version: number; expiresAt: string })

export type TrustReloadOutcome =
  | { status: 'loaded'; list: TrustList }
  | { status: 'unchanged'; list: TrustList }
  | { status: 'refused'; list: TrustList | undefined; code: TrustListErrorCode; reason: string }

export interface TrustStoreState {
  /** The last good list, even when it has expired since (see `expired`). */
  verified: VerifiedTrustList | undefined
  expired: boolean
  loadedAt: Date | undefined
  /** The last refusal since the last good load, if any. */
  lastRefusal: { code: TrustListErrorCode; reason: string; at: Date } | undefined
}

export interface TrustStore {
  /** The file or URL the list is read from. */
  readonly source: string
  /** The list in force: undefined before a good list was loaded, and once the one held has expired. */
  current(): TrustList | undefined
  /** A member of the list in force. */
  member(agency: string): TrustMember | undefined
  /** The members this node may call: every other member with a URL, in agency order. */
  peers(selfAgency: string): readonly TrustMember[]
  /** An agency's public keys on the list in force (to verify its peer assertions). */
  publicKeys(agency: string): JsonWebKeySet | undefined
  /** Every agency's role, for the policy's groups (`policyStore.useTrustRoles(() => trust.roles())`). */
  roles(): TrustRoles
  state(): TrustStoreState
  /** Reads and verifies the list now; the outcome says whether the new list took effect. */
  reload(trigger?: string): Promise<TrustReloadOutcome>
  /** Stops watching and polling; waits for a reload in progress. */
  close(): Promise<void>
}

class Unreadable extends Error {}

async function readSignedFile(file: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Unreadable(
      code === 'ENOENT' ? 'the file is missing' : `cannot be read (${code ?? 'unknown error'})`,
    )
  }
  try {
    const { size } = await handle.stat()
    if (size > maxSignedTrustListBytes)
      throw new TrustListError('TRUST_LIST_TOO_LARGE', {
        path: '(file)',
        reason: `is ${size} bytes, over ${maxSignedTrustListBytes}`,
      })
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

async function readSignedUrl(
  url: string,
  options: { dispatcher?: Dispatcher; timeoutMs?: number },
): Promise<string> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000)
  let response: Dispatcher.ResponseData
  try {
    // undici's request never follows a redirect: a 3xx is refused below like any other status.
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/jose, text/plain' },
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    })
  } catch (error) {
    const code = (error as { code?: unknown; name?: unknown } | null)?.code ?? (error as Error).name
    throw new Unreadable(`cannot be fetched (${typeof code === 'string' ? code : 'unknown error'})`)
  }
  const tooLarge = (bytes: string) =>
    new TrustListError('TRUST_LIST_TOO_LARGE', {
      path: '(url)',
      reason: `is ${bytes} bytes, over ${maxSignedTrustListBytes}`,
    })
  try {
    if (response.statusCode !== 200) throw new Unreadable(`answered HTTP ${response.statusCode}`)
    const declared = Number(response.headers['content-length'])
    if (declared > maxSignedTrustListBytes) throw tooLarge(String(declared))
    const chunks: Buffer[] = []
    let received = 0
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length
      if (received > maxSignedTrustListBytes) throw tooLarge(`over ${received}`)
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  } catch (error) {
    if (error instanceof Unreadable || error instanceof TrustListError) throw error
    throw new Unreadable(`cannot be fetched (${(error as Error).name})`)
  } finally {
    // Destroying a body not read to its end errors it: nobody is listening for that any more.
    response.body.on('error', () => {})
    response.body.destroy()
  }
}

/** Opens the store: validates the anchor, loads the list once (a bad one is reported, not thrown), then watches or polls. */
export async function openTrustStore(options: TrustStoreOptions): Promise<TrustStore> {
  const { source: from, anchor } = options
  const file = 'file' in from ? from.file : undefined
  const source = 'file' in from ? from.file : from.url
  const readSigned = () => ('file' in from ? readSignedFile(from.file) : readSignedUrl(from.url, from))
  trustAnchorKeys(anchor) // a broken anchor is a configuration error: throw now, not on every load
  const now = options.now ?? Date.now
  const tolerance = options.clockToleranceSeconds ?? defaultClockToleranceSeconds
  const emit = (event: TrustStoreEvent) => {
    try {
      options.onEvent?.(event)
    } catch {
      // A failing listener must not cost the node its trust list.
    }
  }

  let held: VerifiedTrustList | undefined
  let heldText: string | undefined
  let loadedAt: Date | undefined
  let lastRefusal: TrustStoreState['lastRefusal']
  let expiryReported = false

  const isExpired = () => held !== undefined && isTrustListExpired(held.list, now(), tolerance)
  const checkExpiry = () => {
    if (!held || !isExpired()) return
    if (expiryReported) return
    expiryReported = true
    emit({
      type: 'expired',
      level: 'error',
      source,
      version: held.list.version,
      expiresAt: held.list.expiresAt,
      message: `trust list version ${held.list.version} expired at ${held.list.expiresAt}: no peer is trusted until a fresh list is loaded`,
    })
  }

  let lastRefusedKey: string | undefined
  const refuse = (
    trigger: string,
    code: TrustListErrorCode,
    reason: string,
    text?: string,
  ): TrustReloadOutcome => {
    // The same file refused for the same reason again (a poll, a touch) is not news: report it once.
    const key = text === undefined ? `${code}\n${reason}` : `${code}\n${text}`
    const repeated = key === lastRefusedKey
    lastRefusedKey = key
    if (!repeated || !lastRefusal) lastRefusal = { code, reason, at: new Date(now()) }
    const keptVersion = held?.list.version ?? null
    if (repeated) return { status: 'refused', list: held?.list, code, reason }
    emit({
      type: 'refused',
      level: 'error',
      source,
      trigger,
      code,
      reason,
      keptVersion,
      message:
        keptVersion === null
          ? `trust list refused (${code}: ${reason}); no trust list is in force`
          : `trust list update refused (${code}: ${reason}); version ${keptVersion} stays in force`,
    })
    return { status: 'refused', list: held?.list, code, reason }
  }

  const reloadNow = async (trigger: string): Promise<TrustReloadOutcome> => {
    let text: string
    try {
      text = await readSigned()
    } catch (error) {
      if (error instanceof Unreadable) return refuse(trigger, 'TRUST_LIST_UNREADABLE', error.message)
      if (error instanceof TrustListError) return refuse(trigger, error.code, error.message)
      throw error
    }
    if (held && heldText === text.trim()) {
      checkExpiry()
      return { status: 'unchanged', list: held.list }
    }
    let verified: VerifiedTrustList
    try {
      const minimumVersion = Math.max(options.minimumVersion ?? 1, held?.list.version ?? 1)
      verified = await verifyTrustList(text, anchor, {
        now: now(),
        minimumVersion,
        clockToleranceSeconds: tolerance,
      })
    } catch (error) {
      if (error instanceof TrustListError) return refuse(trigger, error.code, error.message, text)
      const reason = error instanceof Error ? error.message : String(error)
      return refuse(trigger, 'TRUST_LIST_MALFORMED', reason, text)
    }
    if (held && verified.list.version === held.list.version) {
      if (trustListContentDigest(verified.list) !== trustListContentDigest(held.list))
        return refuse(
          trigger,
          'TRUST_LIST_VERSION_CONFLICT',
          `version: ${verified.list.version} is already held with different content; a changed list needs a higher version`,
          text,
        )
      if (Date.parse(verified.list.issuedAt) < Date.parse(held.list.issuedAt))
        return refuse(
          trigger,
          'TRUST_LIST_ROLLBACK',
          `issuedAt: ${verified.list.issuedAt} is before the held signing of version ${held.list.version} (${held.list.issuedAt})`,
          text,
        )
    }
    const previousVersion = held?.list.version ?? null
    held = verified
    heldText = text.trim()
    loadedAt = new Date(now())
    lastRefusal = undefined
    lastRefusedKey = undefined
    expiryReported = false
    await options.keepVersion?.(verified.list.version)
    emit({
      type: 'loaded',
      level: 'info',
      source,
      trigger,
      version: verified.list.version,
      previousVersion,
      expiresAt: verified.list.expiresAt,
      members: verified.list.members.length,
      kid: verified.kid,
      sha256: verified.sha256,
      message:
        previousVersion === null
          ? `trust list version ${verified.list.version} loaded (${verified.list.members.length} members, expires ${verified.list.expiresAt})`
          : `trust list updated from version ${previousVersion} to ${verified.list.version} (${verified.list.members.length} members, expires ${verified.list.expiresAt})`,
    })
    return { status: 'loaded', list: verified.list }
  }

  let queue: Promise<unknown> = Promise.resolve()
  const reload = (trigger = 'request'): Promise<TrustReloadOutcome> => {
    const next = queue.then(() => reloadNow(trigger))
    queue = next.catch(() => undefined)
    return next
  }

  await reload('start')

  let closed = false
  let watcher: FSWatcher | undefined
  let debounce: NodeJS.Timeout | undefined
  let poll: NodeJS.Timeout | undefined
  if (file !== undefined && options.watch !== false) {
    const debounceMs = options.debounceMs ?? 150
    const base = path.basename(file)
    try {
      watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
        if (closed || (changed !== null && changed !== base)) return
        clearTimeout(debounce)
        debounce = setTimeout(() => void reload('file change'), debounceMs)
        debounce.unref()
      })
      watcher.on('error', () => {
        // The folder went away or the watch broke: `reload()` and polling still work.
      })
    } catch {
      watcher = undefined
    }
  }
  const pollIntervalMs = options.pollIntervalMs || (file === undefined ? defaultUrlPollMs : 0)
  if (pollIntervalMs > 0) {
    poll = setInterval(() => void reload('poll'), pollIntervalMs)
    poll.unref()
  }

  const inForce = (): TrustList | undefined => {
    if (!held) return undefined
    if (isExpired()) {
      checkExpiry()
      return undefined
    }
    return held.list
  }

  return {
    source,
    current: inForce,
    member(agency) {
      const list = inForce()
      return list ? memberOf(list, agency) : undefined
    },
    peers(selfAgency) {
      const list = inForce()
      return list ? peersOf(list, selfAgency) : []
    },
    publicKeys(agency) {
      const list = inForce()
      return list ? memberOf(list, agency)?.keys : undefined
    },
    roles() {
      const list = inForce()
      return list ? rolesOf(list) : {}
    },
    state: () => ({ verified: held, expired: isExpired(), loadedAt, lastRefusal }),
    reload,
    async close() {
      closed = true
      clearTimeout(debounce)
      clearInterval(poll)
      watcher?.close()
      await queue
    },
  }
}
