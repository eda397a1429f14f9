import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signTrustList, type TrustList } from '../../../services/node/federation/trust-list.ts'
import {
  openTrustStore,
  type TrustStore,
  type TrustStoreEvent,
  type TrustStoreOptions,
} from '../../../services/node/federation/trust-store.ts'
import {
  craftJws,
  createTrustKeys,
  during,
  expiresAt,
  sampleList,
  secretariatAgency,
  type TrustKeys,
  trustHeader,
} from './trust-fixture.ts'

let keys: TrustKeys
beforeAll(async () => {
  keys = await createTrustKeys()
})
afterAll(async () => {
  await keys.close()
})

let folder: string
let file: string
let events: TrustStoreEvent[]
let listeners: ((event: TrustStoreEvent) => void)[]
const stores: TrustStore[] = []

beforeEach(async () => {
  folder = await mkdtemp(path.join(keys.folder, 'store-'))
  file = path.join(folder, 'trust-list.jws')
  events = []
  listeners = []
})
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  await rm(folder, { recursive: true, force: true })
})

/** The list at a version, with Viet Nam's node moved so that versions differ in content. */
function listAt(version: number, overrides: Partial<TrustList> = {}): TrustList {
  const base = sampleList(keys, overrides)
  return {
    ...base,
    version,
    members: base.members.map((member) =>
      member.agency === 'VN-MPS' ? { ...member, url: `https://node.mps.example.vn/v${version}` } : member,
    ),
  }
}

const signed = (list: TrustList) => signTrustList(list, keys.secretariat.signing)

/** Replaces the file the way `jaring trust sign` does: a temporary file renamed over it. */
async function publish(text: string): Promise<void> {
  const temporary = `${file}.tmp`
  await writeFile(temporary, `${text}\n`)
  await rename(temporary, file)
}

let clock = during.getTime()

async function open(options: Partial<TrustStoreOptions> = {}): Promise<TrustStore> {
  clock = during.getTime()
  const store = await openTrustStore({
    source: { file },
    anchor: keys.secretariat.jwks,
    now: () => clock,
    debounceMs: 20,
    onEvent: (event) => {
      events.push(event)
      for (const listener of listeners) listener(event)
    },
    ...options,
  })
  stores.push(store)
  return store
}

/** Resolves with the first event (from now on) that matches, or fails after a few seconds. */
function nextEvent(
  matches: (event: TrustStoreEvent) => boolean,
  timeoutMs = 5_000,
): Promise<TrustStoreEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms`)), timeoutMs)
    listeners.push((event) => {
      if (!matches(event)) return
      clearTimeout(timer)
      resolve(event)
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('openTrustStore', () => {
  it('loads and verifies the signed list, and answers members, peers, keys and roles', async () => {
    await publish(await signed(listAt(1)))
    const store = await open()
    expect(store.current()?.version).toBe(1)
    expect(store.member('TH-RTP')?.url).toBe('http://127.0.0.1:4102')
    expect(store.member('SG-SPF')).toBeUndefined()
    // The secretariat runs no node: it is no peer; a node is never its own peer.
    expect(store.peers('TH-RTP').map((member) => member.agency)).toEqual(['VN-MPS'])
    expect(store.publicKeys('VN-MPS')).toEqual(keys.vn.jwks)
    expect(store.roles()).toEqual({
      [secretariatAgency]: 'secretariat',
      'TH-RTP': 'member',
      'VN-MPS': 'member',
    })
    expect(store.state()).toMatchObject({ expired: false, lastRefusal: undefined })
    expect(store.state().verified?.kid).toBe(keys.secretariat.signing.kid)
    expect(events).toEqual([
      expect.objectContaining({
        type: 'loaded',
        level: 'info',
        trigger: 'start',
        version: 1,
        previousVersion: null,
        members: 3,
      }),
    ])
    expect(events[0]?.message).toBe(`trust list version 1 loaded (3 members, expires ${listAt(1).expiresAt})`)
  })

  it('keeps the last good list through every kind of bad update', async () => {
    await publish(await signed(listAt(2)))
    const store = await open({ watch: false })
    const v2 = store.current()
    expect(v2?.version).toBe(2)

    const good = await signed(listAt(3))
    const [header, , signature] = good.split('.')
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...listAt(3), issuer: 'TH-RTP' })).toString('base64url')}.${signature}`
    const bad: [string, string, string][] = [
      ['tampered', forged, 'TRUST_LIST_SIGNATURE_INVALID'],
      ['unsigned', JSON.stringify(listAt(3)), 'TRUST_LIST_UNSIGNED'],
      ['foreign key', await signTrustList(listAt(3), keys.stranger.signing), 'TRUST_LIST_KEY_UNKNOWN'],
      [
        'expired',
        await signed(listAt(3, { issuedAt: '2026-10-01T00:00:00Z', expiresAt: '2026-11-01T00:00:00Z' })),
        'TRUST_LIST_EXPIRED',
      ],
      ['rollback', await signed(listAt(1)), 'TRUST_LIST_ROLLBACK'],
      [
        'same version, other content',
        await signed({ ...listAt(2), members: listAt(2).members.slice(0, 2) }),
        'TRUST_LIST_VERSION_CONFLICT',
      ],
      [
        'invalid document',
        craftJws(trustHeader(keys.secretariat), { ...listAt(3), members: [] }, keys.secretariat),
        'TRUST_LIST_INVALID',
      ],
      ['garbage', 'not a trust list at all', 'TRUST_LIST_MALFORMED'],
    ]
    for (const [what, text, code] of bad) {
      await publish(text)
      const outcome = await store.reload()
      expect(outcome, what).toMatchObject({ status: 'refused', code, list: { version: 2 } })
      expect(store.current(), what).toBe(v2)
      expect(events.at(-1), what).toMatchObject({ type: 'refused', level: 'error', code, keptVersion: 2 })
      expect(events.at(-1)?.message, what).toMatch(
        new RegExp(`^trust list update refused \\(${code}: .+\\); version 2 stays in force$`),
      )
    }
    expect(store.state().lastRefusal?.code).toBe('TRUST_LIST_MALFORMED')

    await rm(file)
    expect(await store.reload()).toMatchObject({
      status: 'refused',
      code: 'TRUST_LIST_UNREADABLE',
      reason: 'the file is missing',
    })
    expect(store.current()?.version).toBe(2)

    // The good update after all that is taken.
    await publish(good)
    expect(await store.reload()).toMatchObject({ status: 'loaded', list: { version: 3 } })
    expect(store.state().lastRefusal).toBeUndefined()
  })

  it('takes a new version from the changed file without a restart', async () => {
    await publish(await signed(listAt(1)))
    const store = await open()
    expect(store.member('VN-MPS')?.url).toBe('https://node.mps.example.vn/v1')

    const loaded = nextEvent((event) => event.type === 'loaded' && event.version === 2)
    await publish(await signed(listAt(2)))
    expect(await loaded).toMatchObject({ trigger: 'file change', previousVersion: 1 })
    expect(store.current()?.version).toBe(2)
    expect(store.member('VN-MPS')?.url).toBe('https://node.mps.example.vn/v2')

    // Written in place rather than renamed over: seen too.
    const inPlace = nextEvent((event) => event.type === 'loaded' && event.version === 3)
    await writeFile(file, await signed(listAt(3)))
    await inPlace
    expect(store.current()?.version).toBe(3)

    // A bad file arriving by the same route is refused and reported; version 3 stays.
    const refused = nextEvent((event) => event.type === 'refused')
    await publish(await signed(listAt(2)))
    expect(await refused).toMatchObject({
      code: 'TRUST_LIST_ROLLBACK',
      keptVersion: 3,
      trigger: 'file change',
    })
    expect(store.current()?.version).toBe(3)
  })

  it('polls when asked to, for file systems without change events', async () => {
    await publish(await signed(listAt(1)))
    const store = await open({ watch: false, pollIntervalMs: 40 })
    const loaded = nextEvent((event) => event.type === 'loaded' && event.version === 2)
    await publish(await signed(listAt(2)))
    expect(await loaded).toMatchObject({ trigger: 'poll' })
    expect(store.current()?.version).toBe(2)
    // The same bad file on every poll is reported once, not on every poll.
    await publish('garbage')
    await sleep(250)
    expect(events.filter((event) => event.type === 'refused')).toHaveLength(1)
    expect(store.current()?.version).toBe(2)
  })

  it('starts without a list when the file is missing or bad, and takes one when it arrives', async () => {
    const store = await open()
    expect(store.current()).toBeUndefined()
    expect(store.peers('TH-RTP')).toEqual([])
    expect(store.member('TH-RTP')).toBeUndefined()
    expect(store.roles()).toEqual({})
    expect(events).toEqual([
      expect.objectContaining({
        type: 'refused',
        code: 'TRUST_LIST_UNREADABLE',
        keptVersion: null,
        trigger: 'start',
      }),
    ])
    expect(events[0]?.message).toMatch(/no trust list is in force$/)
    const loaded = nextEvent((event) => event.type === 'loaded')
    await publish(await signed(listAt(1)))
    await loaded
    expect(store.current()?.version).toBe(1)
  })

  it('honours a version floor held from before (for example from the database)', async () => {
    await publish(await signed(listAt(2)))
    const store = await open({ minimumVersion: 4, watch: false })
    expect(store.current()).toBeUndefined()
    expect(events.at(-1)).toMatchObject({ type: 'refused', code: 'TRUST_LIST_ROLLBACK' })
  })

  it('accepts a renewal of the same version, but not an older signing of it', async () => {
    await publish(await signed(listAt(2, { issuedAt: '2026-11-21T00:00:00Z' })))
    const store = await open({ watch: false })
    await publish(
      await signed(listAt(2, { issuedAt: '2026-11-22T00:00:00Z', expiresAt: '2027-01-10T00:00:00Z' })),
    )
    expect(await store.reload()).toMatchObject({
      status: 'loaded',
      list: { expiresAt: '2027-01-10T00:00:00Z' },
    })
    await publish(await signed(listAt(2, { issuedAt: '2026-11-21T00:00:00Z' })))
    expect(await store.reload()).toMatchObject({ status: 'refused', code: 'TRUST_LIST_ROLLBACK' })
    expect(store.current()?.expiresAt).toBe('2027-01-10T00:00:00Z')
    expect(await store.reload()).toMatchObject({ status: 'refused' })
  })

  it('stops trusting anyone once the list held expires, and says so once', async () => {
    await publish(await signed(listAt(1)))
    const store = await open({ watch: false })
    expect(store.peers('TH-RTP')).toHaveLength(1)
    clock = expiresAt.getTime() + 61_000
    expect(store.current()).toBeUndefined()
    expect(store.peers('TH-RTP')).toEqual([])
    expect(store.publicKeys('VN-MPS')).toBeUndefined()
    expect(store.state()).toMatchObject({ expired: true, verified: { list: { version: 1 } } })
    expect(events.filter((event) => event.type === 'expired')).toEqual([
      expect.objectContaining({ level: 'error', version: 1, expiresAt: listAt(1).expiresAt }),
    ])
    // A fresh list brings the federation back.
    await publish(
      await signed(listAt(2, { issuedAt: new Date(clock).toISOString(), expiresAt: '2027-06-01T00:00:00Z' })),
    )
    expect(await store.reload()).toMatchObject({ status: 'loaded', list: { version: 2 } })
    expect(store.peers('TH-RTP')).toHaveLength(1)
  })

  it('stops watching on close', async () => {
    await publish(await signed(listAt(1)))
    const store = await open({ pollIntervalMs: 30 })
    await store.close()
    await publish(await signed(listAt(2)))
    await sleep(300)
    expect(store.current()?.version).toBe(1)
    expect(events.filter((event) => event.type === 'loaded')).toHaveLength(1)
  })

  it('refuses to open with an anchor that is not a public key', async () => {
    await publish(await signed(listAt(1)))
    await expect(open({ anchor: keys.secretariat.privateJwk })).rejects.toMatchObject({
      code: 'TRUST_ANCHOR_INVALID',
      message: expect.stringMatching(/^anchor\.d: is private key material/),
    })
  })
})

describe('openTrustStore from a URL', () => {
  /** What the secretariat's server answers next: a status, a body and its headers. */
  let answer: { status: number; body: string; headers?: Record<string, string> }
  let server: Server
  let url: string
  let requests = 0

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1
      response.writeHead(answer.status, { 'content-type': 'application/jose', ...answer.headers })
      response.end(answer.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trust-list.jws`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const openUrl = (options: Partial<TrustStoreOptions> = {}) =>
    open({ source: { url, timeoutMs: 2_000 }, ...options })

  it('loads the published list and takes a new version on the next poll', async () => {
    answer = { status: 200, body: await signed(listAt(1)) }
    const store = await openUrl({ pollIntervalMs: 40 })
    expect(store.source).toBe(url)
    expect(store.current()?.version).toBe(1)
    expect(events[0]).toMatchObject({ type: 'loaded', source: url, trigger: 'start', version: 1 })
    const loaded = nextEvent((event) => event.type === 'loaded' && event.version === 2)
    answer = { status: 200, body: await signed(listAt(2)) }
    expect(await loaded).toMatchObject({ trigger: 'poll', previousVersion: 1 })
    expect(store.peers('TH-RTP')).toHaveLength(1)
  })

  it('keeps the last good list when the server fails, redirects, sends too much or a tampered list', async () => {
    answer = { status: 200, body: await signed(listAt(1)) }
    const store = await openUrl({ watch: false })
    const refusals: [typeof answer, string, RegExp][] = [
      [{ status: 503, body: 'down' }, 'TRUST_LIST_UNREADABLE', /answered HTTP 503/],
      [
        { status: 302, body: '', headers: { location: 'http://127.0.0.1:9/elsewhere' } },
        'TRUST_LIST_UNREADABLE',
        /answered HTTP 302/,
      ],
      [{ status: 200, body: 'x'.repeat(2_000_000) }, 'TRUST_LIST_TOO_LARGE', /over/],
      [{ status: 200, body: `${await signed(listAt(2))}x` }, 'TRUST_LIST_SIGNATURE_INVALID', /./],
    ]
    for (const [next, code, reason] of refusals) {
      answer = next
      const outcome = await store.reload()
      expect(outcome).toMatchObject({ status: 'refused', code, reason: expect.stringMatching(reason) })
      expect(store.current()?.version).toBe(1)
    }
  })

  it('starts without a list when the URL cannot be reached, and says why', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const store = await open({ source: { url: `http://127.0.0.1:${port}/trust-list.jws` }, watch: false })
    expect(store.current()).toBeUndefined()
    expect(events).toEqual([
      expect.objectContaining({
        type: 'refused',
        code: 'TRUST_LIST_UNREADABLE',
        reason: expect.stringMatching(/^cannot be fetched \(ECONNREFUSED\)$/),
      }),
    ])
  })

  it('polls a URL every five minutes unless told otherwise, and stops on close', async () => {
    answer = { status: 200, body: await signed(listAt(1)) }
    const before = requests
    const store = await openUrl()
    await sleep(200)
    expect(requests - before).toBe(1)
    await store.close()
  })
})
