import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runJaring } from './run-jaring.ts'

const demoPolicy = (agency: string) => `services/cli/demo/policies/${agency}.yaml`

describe('jaring policy check', () => {
  let folder: string
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'jaring-policy-check-'))
  })
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('summarises a valid policy and exits 0', async () => {
    const { code, stdout, stderr } = await runJaring(['policy', 'check', demoPolicy('TH-RTP')])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/valid policy of TH-RTP, version 4, sha256 [0-9a-f]{64}/)
    expect(stdout).toContain('5 agreements; the first that matches a request decides:')
    expect(stdout).toContain(
      '1. th-hk-rescue-2026: Hong Kong–Thailand cooperation on the rescue of persons at risk',
    )
    expect(stdout).toContain('with mekong-mou (VN-MPS); for INVESTIGATION, INTELLIGENCE_ANALYSIS')
    expect(stdout).toContain('generaliseYear dateOfBirth')
    expect(stdout).toContain('kinds PASSPORT (allow), NATIONAL_ID (mask)')
    expect(stdout).toContain('statistics: cells under 5 suppressed')
    expect(stdout).toContain('fields: hit/no-hit only: no record, no field')
    expect(stdout).toContain(
      '2. th-hk-scam-investigation-2026: Hong Kong–Thailand cooperation against cross-border scam syndicates',
    )
    expect(stdout).toContain('agreements[4]: overlaps agreements[0] (th-hk-rescue-2026) for RESCUE')
    expect(stdout).toContain(
      'agreements[4]: overlaps agreements[1] (th-hk-scam-investigation-2026) for INVESTIGATION',
    )
  })

  it('lists every problem as path and reason and exits 65', async () => {
    const file = join(folder, 'broken.yaml')
    await writeFile(
      file,
      [
        'version: 1',
        'agreements:',
        '  - id: a',
        '    title: A',
        '    with: [HK-HKPF]',
        '    purposes: [RESCUE]',
        '    validFrom: 2026-01-01',
        '    validTo: 2026-12-31',
        '    resources:',
        '      persons:',
        '        fields: { dateOfBirth: blur, eyeColour: allow }',
        '',
      ].join('\n'),
    )
    const { code, stdout, stderr } = await runJaring(['policy', 'check', file])
    expect(code).toBe(65)
    expect(stdout).toBe('')
    expect(stderr).toBe(
      [
        `jaring: ${file} is not a valid policy (2 problems):`,
        '  agreements[0].resources.persons.fields.eyeColour: unknown field "eyeColour"',
        '      expected one of: names, dateOfBirth, nationality, lastKnownCountry, statusChangedOn, notes',
        '  agreements[0].resources.persons.fields.dateOfBirth: unknown rule "blur"',
        '      expected one of: allow, omit, generaliseYear',
        '',
      ].join('\n'),
    )
  })

  it('says when the file cannot be read', async () => {
    const { code, stderr } = await runJaring(['policy', 'check', join(folder, 'absent.yaml')])
    expect(code).toBe(64)
    expect(stderr).toContain('cannot read')
    expect(stderr).toContain('ENOENT')
  })

  it('accepts the empty policy `jaring init` writes', async () => {
    const file = join(folder, 'empty.yaml')
    await writeFile(file, 'version: 1\nagreements: []\n')
    const { code, stdout } = await runJaring(['policy', 'check', file])
    expect(code).toBe(0)
    expect(stdout).toContain('No agreements: nothing is shared with any other agency (deny by default).')
  })
})
