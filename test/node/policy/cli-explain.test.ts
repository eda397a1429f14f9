import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../db/open.ts'
import type { Principal } from '../../../services/node/auth/principal.ts'
import { createRecordRepositories } from '../../../services/node/records/index.ts'
import { createTestDatabaseUrl, type TestDatabaseLocation } from '../../support/database.ts'
import { runJaring } from './run-jaring.ts'

const loader: Principal = {
  kind: 'system',
  agency: 'TH-RTP',
  subject: 'case-system',
  roles: ['system'],
  scopes: new Set(['cases:read', 'cases:write', 'persons:read', 'persons:write']),
  clearance: 'RED',
  tokenId: 'test-loader',
}

/** A Hong Kong resident held in a compound across the border, as the Thai police recorded her. */
async function storeRecords(url: string): Promise<{ personId: string; suspectId: string }> {
  const database = await openDatabase(url, { migrate: false, poolMax: 1 })
  try {
    const records = createRecordRepositories(database.db, {
      agency: 'TH-RTP',
      country: 'TH',
      maxPageSize: 100,
    })
    const access = records.access(loader)
    const person = await records.persons.create(access, {
      externalRef: 'RTP-P-0042',
      tlp: 'AMBER',
      handlingCode: 'H2',
      names: [{ kind: 'PRIMARY', fullName: 'Chan Mei Ling', script: 'Latn' }],
      dateOfBirth: '1998-07-21',
      nationality: 'HK',
      status: 'TRAPPED',
      lastKnownCountry: 'MM',
      notes: 'Sister received a ransom demand',
      identifiers: [
        { kind: 'PHONE', value: '+852 9123 4567' },
        { kind: 'NATIONAL_ID', value: '1-1037-02345-67-9', issuingCountry: 'TH' },
      ],
    })
    const suspect = await records.persons.create(access, {
      externalRef: 'RTP-P-0043',
      tlp: 'AMBER',
      handlingCode: 'H2',
      names: [{ kind: 'PRIMARY', fullName: 'Recruiter Known As Ken', script: 'Latn' }],
    })
    await records.cases.create(access, {
      externalRef: 'RTP-C-0007',
      title: 'Fake job offers to a compound in Myawaddy',
      crimeCategory: 'TRAFFICKING_IN_PERSONS',
      country: 'TH',
      openedOn: '2026-02-10',
      tlp: 'AMBER',
      handlingCode: 'H2',
      persons: [
        { personId: person.id, role: 'PERSON_AT_RISK' },
        { personId: suspect.id, role: 'SUSPECT' },
      ],
    })
    return { personId: person.id, suspectId: suspect.id }
  } finally {
    await database.close()
  }
}

describe('jaring policy explain', () => {
  let folder: string
  let location: TestDatabaseLocation
  let ids: { personId: string; suspectId: string }
  let config: string

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'jaring-policy-explain-'))
    location = await createTestDatabaseUrl()
    ids = await storeRecords(location.url)
    config = join(folder, 'node.yaml')
    await writeFile(
      config,
      [
        'agency: TH-RTP',
        'name: Royal Thai Police',
        'country: TH',
        'publicUrl: http://127.0.0.1:4102',
        `database: { url: ${JSON.stringify(location.url)} }`,
        '',
      ].join('\n'),
    )
    await copyFile('services/cli/demo/policies/TH-RTP.yaml', join(folder, 'policy.yaml'))
  })

  afterAll(async () => {
    await location?.drop()
    await rm(folder, { recursive: true, force: true })
  })

  const explainAs = (asker: string, purpose: string, ...extra: string[]) =>
    runJaring([
      'policy',
      'explain',
      '--config',
      config,
      '--record',
      ids.personId,
      '--as',
      asker,
      '--purpose',
      purpose,
      '--at',
      '2026-06-15',
      ...extra,
    ])

  it('shows Viet Nam investigating the masked national id, the year of birth and the rule behind each', async () => {
    const { code, stdout, stderr } = await explainAs('VN-MPS', 'INVESTIGATION')
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain(
      'What VN-MPS would see when asking for INVESTIGATION, at 2026-06-15T12:00:00.000Z',
    )
    expect(stdout).toMatch(/policy version 4, sha256 [0-9a-f]{64}/)
    expect(stdout).toContain('decided by agreement th-vn-investigation-mou')
    expect(stdout).toContain(`persons ${ids.personId}: released`)
    expect(stdout).toMatch(/dateOfBirth\s+generalised\s+"1998"\s+\[resources\.persons\.fields\.dateOfBirth\]/)
    expect(stdout).toMatch(/notes\s+omitted\s+\(none\)\s+\[resources\.persons\.fields\.notes\]/)
    expect(stdout).toMatch(/value\s+masked\s+"•••••7-9"\s+\[resources\.identifiers\.kinds\.NATIONAL_ID\]/)
    expect(stdout).toMatch(/value\s+shown\s+"\+852 9123 4567"\s+\[resources\.identifiers\.kinds\.PHONE\]/)
    expect(stdout).not.toContain('1103702345679')
  })

  it('shows Hong Kong the person at risk for rescue, but not the suspect', async () => {
    const rescue = await explainAs('HK-HKPF', 'RESCUE')
    expect(rescue.stdout).toContain('decided by agreement th-hk-rescue-2026')
    expect(rescue.stdout).toMatch(/names\s+shown\s+\[\{"kind":"PRIMARY","fullName":"Chan Mei Ling"/)
    expect(rescue.stdout).toContain('kind NATIONAL_ID is not among the shared kinds (PHONE, SOCIAL_HANDLE)')
    const suspect = await runJaring([
      'policy',
      'explain',
      '--config',
      config,
      '--record',
      ids.suspectId,
      '--as',
      'HK-HKPF',
      '--purpose',
      'RESCUE',
      '--at',
      '2026-06-15',
    ])
    expect(suspect.stdout).toContain(`persons ${ids.suspectId}: not released`)
    expect(suspect.stdout).toContain(
      'because no case link with role PERSON_AT_RISK [resources.persons.rows.personRoles]',
    )
  })

  it('takes the asker’s trust-list role for the built-in groups, and prints JSON on request', async () => {
    // Macau's judiciary police: a partner with no agreement of its own, so the role alone decides.
    const { code, stdout } = await explainAs('MO-PJ', 'INVESTIGATION', '--role', 'partner', '--json')
    expect(code).toBe(0)
    const explanation = JSON.parse(stdout)
    expect(explanation).toMatchObject({
      agreementId: 'partners-hit-only',
      record: { release: 'hitOnly', fields: [] },
    })
    const withoutRole = await explainAs('MO-PJ', 'INVESTIGATION')
    expect(withoutRole.stdout).toContain(
      'no agreement covers this request: nothing is shared (deny by default)',
    )
  })

  it('refuses unknown records, bad ids and bad arguments with helpful messages', async () => {
    const unknown = await runJaring([
      'policy',
      'explain',
      '--config',
      config,
      '--record',
      'TH-RTP:00000000-0000-4000-8000-000000000000',
      '--as',
      'VN-MPS',
      '--purpose',
      'RESCUE',
    ])
    expect(unknown.code).toBe(65)
    expect(unknown.stderr).toContain('TH-RTP holds no record TH-RTP:00000000-0000-4000-8000-000000000000')
    const malformed = await explainAs('VN-MPS', 'RESCUE', '--record', 'not-an-id')
    expect(malformed.code).toBe(64)
    expect(malformed.stderr).toContain('not a global record id')
    const badPurpose = await explainAs('VN-MPS', 'CURIOSITY')
    expect(badPurpose.code).not.toBe(0)
    expect(badPurpose.stderr).toContain(
      'must be one of INVESTIGATION, RESCUE, INTELLIGENCE_ANALYSIS, STATISTICS',
    )
  })
})
