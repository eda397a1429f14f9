/**
 * `jaring audit verify --keys` after the node's federation key is rotated (docs/operations.md,
 * "Rotating keys"): checkpoints signed with the retired key stay verifiable once its public JWKS is
 * given; without it, verify names the first such checkpoint (exit 65) rather than passing.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../db/open.ts'
import type { AuditEntry } from '../../services/node/audit/chain.ts'
import { checkpointChainHead } from '../../services/node/audit/checkpoint.ts'
import { createAuditWriter } from '../../services/node/audit/writer.ts'
import { readPrivateSigningKey } from '../../services/node/auth/keys.ts'
import { createTestDatabaseUrl, type TestDatabaseLocation, testDatabaseLabel } from '../support/database.ts'
import { cliTimeoutMs, runJaring } from './run.ts'

const agency = 'TH-RTP'

function entry(requestId: string): AuditEntry {
  return {
    requestId,
    node: agency,
    direction: 'LOCAL',
    principalKind: 'officer',
    principalAgency: agency,
    principalSubject: 'rotation-test',
    principalRoles: ['liaison'],
    tokenId: requestId,
    clientAddress: '127.0.0.1',
    purpose: null,
    caseReference: null,
    operationKind: 'QUERY',
    operationName: null,
    documentDigest: null,
    variablesDigest: null,
    policyVersion: 1,
    policyHash: null,
    outcome: 'ALLOWED',
    reasonCode: null,
    httpStatus: 200,
    recordIds: [],
    fieldsWithheld: [],
    peers: [],
    responseDigest: null,
    responseBytes: null,
    receipt: null,
  }
}

describe(`jaring audit verify across a rotation of the node's key, on ${testDatabaseLabel()}`, {
  timeout: cliTimeoutMs * 2,
}, () => {
  let workspace: string
  let database: TestDatabaseLocation
  const config = 'th/node.yaml'
  const env = () => ({ JARING_DATABASE_URL: database.url })

  /** Appends rows as the node would and signs the head with the key node.yaml names now. */
  async function appendAndCheckpoint(prefix: string, keyFile: string): Promise<void> {
    const handle = await openDatabase(database.url, { migrate: false })
    try {
      const writer = createAuditWriter(handle.db, { appendTimeoutMs: 5_000, maxBatchRows: 10 })
      for (let index = 0; index < 3; index += 1) await writer.append(entry(`${prefix}-${index}`))
      const key = await readPrivateSigningKey(path.join(workspace, 'th', keyFile))
      expect(await checkpointChainHead(handle.db, key, agency)).toBeGreaterThan(0)
    } finally {
      await handle.close()
    }
  }

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-audit-rotation-'))
    database = await createTestDatabaseUrl()
    for (const folder of ['th', 'scratch']) {
      const init = await runJaring(['init', folder, '--agency', agency], { cwd: workspace })
      expect(init.code, init.stderr).toBe(0)
    }
  })

  afterAll(async () => {
    await database?.drop()
    await rm(workspace, { recursive: true, force: true })
  })

  it('verifies the old checkpoints with the retired key given, and refuses them without it', async () => {
    await appendAndCheckpoint('before', 'keys/federation.private.jwk.json')
    // The rotation as docs/operations.md describes it: the new key from a scratch `jaring init`,
    // the old one kept as keys/federation-retired.*, node.yaml switched to the new one.
    const th = path.join(workspace, 'th')
    for (const suffix of ['private.jwk.json', 'jwks.json']) {
      await copyFile(
        path.join(th, `keys/federation.${suffix}`),
        path.join(th, `keys/federation-retired.${suffix}`),
      )
      await copyFile(
        path.join(workspace, `scratch/keys/federation.${suffix}`),
        path.join(th, `keys/federation-next.${suffix}`),
      )
    }
    const yaml = await readFile(path.join(th, 'node.yaml'), 'utf8')
    await writeFile(
      path.join(th, 'node.yaml'),
      yaml.replace(
        'privateKeyFile: "keys/federation.private.jwk.json"',
        'privateKeyFile: "keys/federation-next.private.jwk.json"',
      ),
    )
    expect(await readFile(path.join(th, 'node.yaml'), 'utf8')).toContain('federation-next.private.jwk.json')
    await appendAndCheckpoint('after', 'keys/federation-next.private.jwk.json')

    const without = await runJaring(['audit', 'verify', '--config', config], { cwd: workspace, env: env() })
    expect(without.code).toBe(65)
    expect(without.stderr).toContain('(checkpoint)')

    const withRetired = await runJaring(
      ['audit', 'verify', '--config', config, '--keys', 'th/keys/federation-retired.jwks.json'],
      { cwd: workspace, env: env() },
    )
    expect(withRetired.code, withRetired.stderr).toBe(0)
    expect(withRetired.stdout).toContain(
      'The audit chain of TH-RTP verifies: 6 rows, 2 signed checkpoints, head at seq 6.',
    )
  })

  it('refuses a --keys file that is not a public JWKS, with a usage error', async () => {
    const refused = await runJaring(
      ['audit', 'verify', '--config', config, '--keys', 'th/keys/federation-retired.private.jwk.json'],
      { cwd: workspace, env: env() },
    )
    expect(refused.code).toBe(64)
    expect(refused.stderr).toContain(
      '--keys: th/keys/federation-retired.private.jwk.json cannot be read as a public JWKS',
    )
  })
})
