/**
 * The trust list's rollback floor outlives the node (docs/protocol.md, rollback): a node that held
 * version 3 refuses version 2 after a restart on the same database, and takes version 4.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTrustListFloor } from '../../../db/trust-list-floor.ts'
import {
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  writeSigningKeyFiles,
} from '../../../services/node/auth/keys.ts'
import {
  createTrustList,
  signTrustList,
  type TrustMember,
} from '../../../services/node/federation/trust-list.ts'
import { buildTestApp } from '../../support/app.ts'
import { openTestDatabase, type TestDatabase, testDatabaseLabel } from '../../support/database.ts'

describe(`the trust list's rollback floor across a restart, on ${testDatabaseLabel()}`, () => {
  let folder: string
  let database: TestDatabase
  let secretariatKey: PrivateSigningKey
  let members: TrustMember[]
  let anchorFile: string
  const listFile = () => path.join(folder, 'trust-list.jws')

  async function publish(version: number): Promise<void> {
    const list = createTrustList({
      version,
      issuedAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 1000),
      expiresAt: new Date(Date.now() + 86_400_000),
      issuer: 'ID-ASEANSEC',
      members,
    })
    await writeFile(listFile(), await signTrustList(list, secretariatKey))
  }

  const startNode = () =>
    buildTestApp({
      database,
      config: {
        federation: {
          privateKeyFile: path.join(folder, 'federation.private.jwk.json'),
          trustAnchorFile: anchorFile,
          trustListFile: listFile(),
        },
      },
    })

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'jaring-trust-floor-'))
    database = await openTestDatabase()
    const secretariat = await writeSigningKeyFiles(path.join(folder, 'secretariat'))
    anchorFile = secretariat.publicJwksFile
    secretariatKey = await readPrivateSigningKey(secretariat.privateKeyFile)
    const node = await writeSigningKeyFiles(path.join(folder, 'federation'))
    members = [
      {
        agency: 'ID-ASEANSEC',
        name: 'ASEAN Secretariat',
        country: 'ID',
        role: 'secretariat',
        keys: await readJwks(secretariat.publicJwksFile),
      },
      {
        agency: 'TH-RTP',
        name: 'Royal Thai Police',
        country: 'TH',
        role: 'member',
        url: 'http://127.0.0.1:4102',
        keys: await readJwks(node.publicJwksFile),
      },
    ]
  })

  afterAll(async () => {
    await database?.close()
    await rm(folder, { recursive: true, force: true })
  })

  it('refuses a version below the one held before the restart, and takes a higher one', async () => {
    await publish(3)
    const first = await startNode()
    expect(first.app.federation.trust?.current()?.version).toBe(3)
    await first.close()
    expect(await readTrustListFloor(database.db)).toBe(3)

    await publish(2)
    const second = await startNode()
    try {
      expect(second.app.federation.trust?.current()).toBeUndefined()
      expect(await second.app.federation.trust?.reload('test')).toMatchObject({
        status: 'refused',
        code: 'TRUST_LIST_ROLLBACK',
        reason: expect.stringContaining('lower than the version already held (3)'),
      })
      await publish(4)
      expect(await second.app.federation.trust?.reload('test')).toMatchObject({ status: 'loaded' })
      expect(second.app.federation.trust?.current()?.version).toBe(4)
    } finally {
      await second.close()
    }
    expect(await readTrustListFloor(database.db)).toBe(4)
  })
})
