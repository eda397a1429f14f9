import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { decide } from '../../../services/node/policy/decide.ts'
import { openPolicyStore, type PolicyStore } from '../../../services/node/policy/store.ts'
import { PolicyError } from '../../../services/node/policy/validate.ts'

interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

function capturingLogger() {
  const lines: LogLine[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  return { logger, lines }
}

const policyText = (version: number, agreements = '[]') =>
  `version: ${version}\nagency: TH-RTP\nagreements: ${agreements}\n`

const rescueAgreement = `
  - id: th-hk-rescue
    title: Rescue
    with: [HK-HKPF]
    purposes: [RESCUE]
    validFrom: 2026-01-01
    validTo: 2026-12-31
    resources:
      persons:
        rows: { personRoles: [PERSON_AT_RISK] }
        fields: { names: allow }
`

const at = new Date('2026-06-01T00:00:00Z')
const rescueDecision = (store: PolicyStore) =>
  decide(store.current, { asker: 'HK-HKPF', purpose: 'RESCUE', at, roles: {} }).agreementId

describe('the policy store', () => {
  let folder: string
  let file: string
  const stores: PolicyStore[] = []

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'jaring-policy-'))
    file = join(folder, 'policy.yaml')
  })

  afterEach(async () => {
    for (const store of stores.splice(0)) store.close()
    await rm(folder, { recursive: true, force: true })
  })

  async function open(options: { watch?: boolean } = {}) {
    const { logger, lines } = capturingLogger()
    const store = await openPolicyStore({ file, agency: 'TH-RTP', log: logger, debounceMs: 20, ...options })
    stores.push(store)
    return { store, lines }
  }

  it('starts with the deny-all policy, and says so, when the file is missing', async () => {
    const { store, lines } = await open({ watch: false })
    expect(store.current.version).toBe(0)
    expect(store.current.agreements).toEqual([])
    expect(store.current.agency).toBe('TH-RTP')
    expect(rescueDecision(store)).toBeNull()
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining('no policy file: nothing is shared'),
      }),
    )
  })

  it('refuses to start on a broken file, naming the file, the path and the reason', async () => {
    await writeFile(file, policyText(1, '[{ id: x }]'))
    const opening = openPolicyStore({ file, agency: 'TH-RTP', log: capturingLogger().logger, watch: false })
    await expect(opening).rejects.toThrow(PolicyError)
    await expect(opening).rejects.toThrow(`The policy file ${file} is not valid; the node does not start.`)
    await expect(opening).rejects.toThrow('agreements[0].title: is required')
  })

  it('refuses a policy written for another agency', async () => {
    await writeFile(file, 'version: 1\nagency: VN-MPS\nagreements: []\n')
    await expect(
      openPolicyStore({ file, agency: 'TH-RTP', log: capturingLogger().logger, watch: false }),
    ).rejects.toThrow('agency: is VN-MPS, but this node serves TH-RTP')
  })

  it('takes a changed file into force without a restart', async () => {
    await writeFile(file, policyText(1))
    const { store, lines } = await open()
    expect(rescueDecision(store)).toBeNull()
    await writeFile(file, policyText(2, rescueAgreement))
    await vi.waitFor(() => expect(store.current.version).toBe(2), { timeout: 10_000 })
    expect(rescueDecision(store)).toBe('th-hk-rescue')
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'policy reloaded',
        policyVersion: 2,
        previousVersion: 1,
        trigger: 'file change',
      }),
    )
  })

  it('refuses a broken update and keeps the previous policy, with a log line saying why', async () => {
    await writeFile(file, policyText(1, rescueAgreement))
    const { store, lines } = await open()
    const before = store.current
    await writeFile(file, policyText(2, rescueAgreement.replace('names: allow', 'names: blur')))
    await vi.waitFor(
      () => expect(lines.some((line) => line.msg.startsWith('policy update refused'))).toBe(true),
      { timeout: 10_000 },
    )
    expect(store.current).toBe(before)
    expect(rescueDecision(store)).toBe('th-hk-rescue')
    const refusal = lines.find((line) => line.msg.startsWith('policy update refused'))
    expect(refusal).toMatchObject({
      level: 50,
      reason: 'agreements[0].resources.persons.fields.names: unknown rule "blur"',
      policyVersion: 1,
    })
    expect(refusal?.msg).toContain('unknown rule "blur"')
    expect(refusal?.msg).toContain('the previous policy stays in force')
  })

  it('keeps the previous policy when the file disappears', async () => {
    await writeFile(file, policyText(1, rescueAgreement))
    const { store } = await open({ watch: false })
    await unlink(file)
    expect(await store.reload()).toMatchObject({ status: 'refused', reason: 'the file is missing' })
    expect(rescueDecision(store)).toBe('th-hk-rescue')
  })

  it.each([
    ['with the file watched', {}],
    ['with the file watch off', { watch: false }],
  ])('reloads on SIGHUP %s, and stops listening once closed', async (_, options) => {
    await writeFile(file, policyText(1))
    const listenersBefore = process.listenerCount('SIGHUP')
    const { store, lines } = await open(options)
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore + 1)
    await writeFile(file, policyText(2, rescueAgreement))
    process.emit('SIGHUP', 'SIGHUP')
    await vi.waitFor(() => expect(store.current.version).toBe(2), { timeout: 10_000 })
    expect(lines.find((line) => line.msg === 'policy reloaded')).toMatchObject({ trigger: 'SIGHUP' })
    store.close()
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore)
  })

  it('reports an unchanged file as unchanged and a reload on request as loaded', async () => {
    await writeFile(file, policyText(1))
    const { store } = await open({ watch: false })
    expect(await store.reload()).toMatchObject({ status: 'unchanged' })
    await writeFile(file, policyText(3, rescueAgreement))
    const outcome = await store.reload()
    expect(outcome).toMatchObject({ status: 'loaded' })
    expect(outcome.policy.version).toBe(3)
  })
})
