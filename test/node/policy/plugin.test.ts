import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { decide } from '../../../services/node/policy/decide.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseForSuite } from '../../support/database.ts'
import { demoPolicyText } from './documents.ts'

describe('the policy plugin', () => {
  const database = testDatabaseForSuite()
  let folder: string

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'jaring-policy-plugin-'))
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  async function appWithPolicy(file: string, watch = false): Promise<TestApp> {
    return buildTestApp({ database: database(), config: { policy: { file, watch } } })
  }

  it('serves with the deny-all policy when the node has no policy file', async () => {
    const node = await buildTestApp({ database: database() })
    try {
      expect(node.config.policy).toEqual({ file: 'policy.yaml', watch: true })
      expect(node.app.policy.version).toBe(0)
      expect(node.app.policy.agency).toBe('TH-RTP')
    } finally {
      await node.close()
    }
  })

  it('loads the policy file named in the config and follows its changes', async () => {
    const file = join(folder, 'th.yaml')
    await writeFile(file, 'version: 1\nagreements: []\n')
    const node = await appWithPolicy(file, true)
    try {
      const rescue = () =>
        decide(node.app.policy, {
          asker: 'HK-HKPF',
          purpose: 'RESCUE',
          at: new Date('2026-06-01'),
          roles: {},
        })
      expect(rescue().agreementId).toBeNull()
      await writeFile(file, demoPolicyText('TH-RTP'))
      await vi.waitFor(() => expect(node.app.policy.version).toBe(4), { timeout: 10_000 })
      expect(rescue().agreementId).toBe('th-hk-rescue-2026')
      expect(node.app.policyStore.file).toBe(file)
    } finally {
      await node.close()
    }
  })

  it('stops the node from starting with a broken policy file', async () => {
    const file = join(folder, 'broken.yaml')
    await writeFile(file, 'version: 1\nagreements:\n  - id: x\n')
    await expect(appWithPolicy(file)).rejects.toThrow('agreements[0].title: is required')
  })
})
