import { statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type PrivateSigningKey,
  readJwks,
  readPrivateSigningKey,
  writeSigningKeyFiles,
} from '../../services/node/auth/keys.ts'
import {
  createTrustList,
  readTrustAnchor,
  signTrustList,
  type TrustListDraft,
  verifyTrustList,
} from '../../services/node/federation/trust-list.ts'
import { cliTimeoutMs, runJaring } from './run.ts'

describe('jaring trust', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  const at = (...parts: string[]) => path.join(workspace, ...parts)
  const jaring = (args: string[]) => runJaring(['trust', ...args], { cwd: workspace })
  const readDraft = async () =>
    JSON.parse(await readFile(at('sec', 'trust-list.json'), 'utf8')) as TrustListDraft

  const list = ['--list', 'sec/trust-list.json']
  const thailand = [
    'add',
    ...list,
    '--agency',
    'TH-RTP',
    '--name',
    'Royal Thai Police',
    '--country',
    'TH',
    '--role',
    'member',
    '--url',
    'http://127.0.0.1:4102/',
    '--jwks',
    'th/federation.jwks.json',
  ]
  const vietnam = [
    'add',
    ...list,
    '--agency',
    'VN-MPS',
    '--name',
    'Ministry of Public Security',
    '--country',
    'vn',
    '--role',
    'partner',
    '--url',
    'https://node.mps.example.vn',
    '--jwks',
    'vn/federation.jwks.json',
  ]
  const sign = ['sign', ...list, '--key', 'sec/secretariat.private.jwk.json', '--out', 'trust-list.jws']
  const verify = ['verify', '--signed', 'trust-list.jws', '--anchor', 'sec/secretariat.jwks.json']

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-trust-cli-'))
    // The members' node keys, as `jaring init` writes them (keys/federation.*).
    await mkdir(at('th'))
    await mkdir(at('vn'))
    await writeSigningKeyFiles(at('th', 'federation'))
    await writeSigningKeyFiles(at('vn', 'federation'), 'ES256')
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  it('init creates the secretariat key (private 0600) and a draft with the secretariat at version 1', async () => {
    const result = await jaring([
      'init',
      '--dir',
      'sec',
      '--agency',
      'ID-ASEANSEC',
      '--name',
      'ASEAN Secretariat',
      '--country',
      'ID',
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('sec/secretariat.private.jwk.json')
    expect(result.stdout).toContain('npx jaring trust sign --list sec/trust-list.json')

    const key = await readPrivateSigningKey(at('sec', 'secretariat.private.jwk.json'))
    expect(key.alg).toBe('EdDSA')
    expect(statSync(at('sec', 'secretariat.private.jwk.json')).mode & 0o077).toBe(0)
    const anchor = await readJwks(at('sec', 'secretariat.jwks.json'))
    expect(anchor.keys.map((entry) => entry.kid)).toEqual([key.kid])
    expect(JSON.stringify(anchor)).not.toContain('"d"')

    expect(await readDraft()).toEqual({
      version: 1,
      issuer: 'ID-ASEANSEC',
      members: [
        {
          agency: 'ID-ASEANSEC',
          name: 'ASEAN Secretariat',
          country: 'ID',
          role: 'secretariat',
          keys: anchor,
        },
      ],
    })

    const again = await jaring([
      'init',
      '--dir',
      'sec',
      '--agency',
      'ID-ASEANSEC',
      '--name',
      'X',
      '--country',
      'ID',
    ])
    expect(again.code).toBe(73)
    expect(again.stderr).toContain('sec/secretariat.private.jwk.json already exists')
    expect((await readPrivateSigningKey(at('sec', 'secretariat.private.jwk.json'))).kid).toBe(key.kid)
  })

  it('add puts members with their node keys on the draft; sign writes a list that verifies', async () => {
    // One after the other: both edit the same draft.
    const th = await jaring(thailand)
    const vn = await jaring(vietnam)
    expect(th.stderr).toBe('')
    expect(th.stdout).toMatch(
      /^Added TH-RTP \(Royal Thai Police, member, http:\/\/127\.0\.0\.1:4102, keys .+\)/,
    )
    expect(vn.code).toBe(0)
    const draft = await readDraft()
    expect(draft.members.map((member) => [member.agency, member.role, member.country, member.url])).toEqual([
      ['ID-ASEANSEC', 'secretariat', 'ID', undefined],
      ['TH-RTP', 'member', 'TH', 'http://127.0.0.1:4102'],
      ['VN-MPS', 'partner', 'VN', 'https://node.mps.example.vn'],
    ])
    expect(draft.members[2]?.keys).toEqual(await readJwks(at('vn', 'federation.jwks.json')))

    const signed = await jaring(sign)
    expect(signed.stderr).toBe('')
    expect(signed.code).toBe(0)
    expect(signed.stdout).toMatch(
      /^Signed trust list version 1 \(first signing\) of ID-ASEANSEC with key .+ \(EdDSA\): 3 members, valid until /,
    )

    // What a node does with it: verify against the anchor file alone.
    const jws = await readFile(at('trust-list.jws'), 'utf8')
    const verified = await verifyTrustList(jws, await readTrustAnchor(at('sec', 'secretariat.jwks.json')))
    expect(verified.list.version).toBe(1)
    expect(verified.list.members).toEqual(draft.members)
    const validDays = (Date.parse(verified.list.expiresAt) - Date.parse(verified.list.issuedAt)) / 86_400_000
    expect(validDays).toBe(30)
    expect(await readDraft()).toMatchObject({
      version: 1,
      signed: { version: 1, expiresAt: verified.list.expiresAt },
    })

    const shown = await jaring(verify)
    expect(shown.stderr).toBe('')
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^trust-list\.jws: valid trust list version 1, issued by ID-ASEANSEC at /)
    expect(shown.stdout).toContain(`expires ${verified.list.expiresAt} (in 29 days)`)
    expect(shown.stdout).toContain('3 members:')
    expect(shown.stdout).toMatch(
      /^ {2}TH-RTP +member +TH +Royal Thai Police +http:\/\/127\.0\.0\.1:4102 +keys .+ \(EdDSA\)$/m,
    )
    expect(shown.stdout).toMatch(
      /^ {2}VN-MPS +partner +VN +Ministry of Public Security +https:\/\/node\.mps\.example\.vn +keys .+ \(ES256\)$/m,
    )
    expect(shown.stdout).toMatch(/^ {2}ID-ASEANSEC +secretariat +ID +ASEAN Secretariat +\(no node\)/m)
  })

  it('sign keeps the version for unchanged content and raises it after a change; remove drops a member', async () => {
    const renewed = await jaring([...sign, '--valid-days', '7'])
    expect(renewed.code).toBe(0)
    expect(renewed.stdout).toContain('version 1 (content unchanged, validity renewed)')

    const removed = await jaring(['remove', ...list, '--agency', 'VN-MPS'])
    expect(removed.stderr).toBe('')
    expect(removed.stdout).toContain('Removed VN-MPS from sec/trust-list.json; 2 members.')
    const changed = await jaring(sign)
    expect(changed.stdout).toContain('version 2 (content changed since version 1)')

    const json = await jaring([...verify, '--json'])
    expect(json.code).toBe(0)
    const document = JSON.parse(json.stdout)
    expect(document.version).toBe(2)
    expect(document.members.map((member: { agency: string }) => member.agency)).toEqual([
      'ID-ASEANSEC',
      'TH-RTP',
    ])

    // Replacing a member is a change too.
    const moved = await jaring(
      thailand.map((arg) => (arg === 'http://127.0.0.1:4102/' ? 'https://node.rtp.example.th' : arg)),
    )
    expect(moved.stdout).toMatch(/^Replaced TH-RTP/)
    expect((await jaring(sign)).stdout).toContain('version 3 (content changed since version 2)')
  })

  it('add names the option or file at fault and changes nothing', async () => {
    const before = await readFile(at('sec', 'trust-list.json'), 'utf8')
    const withUrl = (url: string) => thailand.map((arg) => (arg === 'http://127.0.0.1:4102/' ? url : arg))
    await writeFile(
      at('leaky.jwks.json'),
      JSON.stringify({ keys: [JSON.parse(await readFile(at('th', 'federation.private.jwk.json'), 'utf8'))] }),
    )
    const [credentials, query, leaky, missing] = await Promise.all([
      jaring(withUrl('https://user:pw@node.rtp.example.th')),
      jaring(withUrl('https://node.rtp.example.th/?x=1')),
      jaring(thailand.map((arg) => (arg === 'th/federation.jwks.json' ? 'leaky.jwks.json' : arg))),
      jaring(thailand.map((arg) => (arg === 'th/federation.jwks.json' ? 'nope.jwks.json' : arg))),
    ])
    expect(credentials.code).toBe(65)
    expect(credentials.stderr).toMatch(
      /^jaring: --url: must be a node's base URL .*not "https:\/\/user:pw@node\.rtp\.example\.th"/,
    )
    expect(query.stderr).toMatch(/^jaring: --url: must be a node's base URL/)
    expect(leaky.code).toBe(65)
    expect(leaky.stderr).toContain('leaky.jwks.json: keys[0] holds private material')
    expect(missing.code).toBe(64)
    expect(missing.stderr).toContain('cannot read the JWKS nope.jwks.json (no such file)')
    expect(await readFile(at('sec', 'trust-list.json'), 'utf8')).toBe(before)
  })

  it('remove and a secretariat role for another agency are refused, naming the option; a broken draft names its field', async () => {
    const before = await readFile(at('sec', 'trust-list.json'), 'utf8')
    const [stranger, issuer, rival] = await Promise.all([
      jaring(['remove', ...list, '--agency', 'SG-SPF']),
      jaring(['remove', ...list, '--agency', 'ID-ASEANSEC']),
      jaring(thailand.map((arg) => (arg === 'member' ? 'secretariat' : arg))),
    ])
    expect(stranger.code).toBe(65)
    expect(stranger.stderr).toContain('sec/trust-list.json: --agency: SG-SPF is not on the list')
    expect(issuer.stderr).toContain("--agency: ID-ASEANSEC is the list's issuer and cannot be removed")
    expect(rival.code).toBe(64)
    expect(rival.stderr).toContain("--role: only the list's issuer (ID-ASEANSEC) is the secretariat")
    expect(await readFile(at('sec', 'trust-list.json'), 'utf8')).toBe(before)

    await writeFile(at('broken.json'), JSON.stringify({ ...JSON.parse(before), expiresAt: 'soon' }))
    const broken = await jaring(['remove', '--list', 'broken.json', '--agency', 'TH-RTP'])
    expect(broken.code).toBe(65)
    expect(broken.stderr).toContain(
      'broken.json is not a valid trust list draft:\n  expiresAt: is set when the list is signed',
    )
  })

  it('verify refuses a tampered, foreign, unsigned, expired or rolled-back list with its reason', async () => {
    const jws = (await readFile(at('trust-list.jws'), 'utf8')).trim()
    const [header, payload, signature] = jws.split('.') as [string, string, string]
    const document = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    document.members[1].url = 'https://attacker.example'
    await writeFile(
      at('tampered.jws'),
      `${header}.${Buffer.from(JSON.stringify(document)).toString('base64url')}.${signature}`,
    )

    const secretariat: PrivateSigningKey = await readPrivateSigningKey(
      at('sec', 'secretariat.private.jwk.json'),
    )
    const old = createTrustList({
      ...document,
      issuedAt: '2026-01-01T00:00:00Z',
      expiresAt: '2026-02-01T00:00:00Z',
    })
    await writeFile(at('expired.jws'), await signTrustList(old, secretariat))

    const check = (signed: string, anchor = 'sec/secretariat.jwks.json', extra: string[] = []) =>
      jaring(['verify', '--signed', signed, '--anchor', anchor, ...extra])
    const [tampered, foreign, unsigned, expired, rollback, noAnchor] = await Promise.all([
      check('tampered.jws'),
      check('trust-list.jws', 'th/federation.jwks.json'),
      check('sec/trust-list.json'),
      check('expired.jws'),
      check('trust-list.jws', 'sec/secretariat.jwks.json', ['--min-version', '4']),
      check('trust-list.jws', 'sec/secretariat.private.jwk.json'),
    ])
    expect(tampered.code).toBe(65)
    expect(tampered.stdout).toBe('')
    expect(tampered.stderr).toContain(
      'tampered.jws is refused (TRUST_LIST_SIGNATURE_INVALID):\n  signature: does not verify',
    )
    expect(foreign.stderr).toMatch(
      /trust-list\.jws is refused \(TRUST_LIST_KEY_UNKNOWN\):\n {2}header\.kid: ".+" is not a key of the trust anchor/,
    )
    expect(unsigned.stderr).toContain('sec/trust-list.json is refused (TRUST_LIST_UNSIGNED)')
    expect(expired.stderr).toContain(
      'expired.jws is refused (TRUST_LIST_EXPIRED):\n  expiresAt: the list expired at 2026-02-01T00:00:00Z',
    )
    expect(rollback.stderr).toContain(
      '(TRUST_LIST_ROLLBACK):\n  version: 3 is lower than the version already held (4)',
    )
    expect(noAnchor.code).toBe(65)
    expect(noAnchor.stderr).toContain('the trust anchor is not usable (TRUST_ANCHOR_INVALID)')
    for (const result of [foreign, unsigned, expired, rollback]) expect(result.code).toBe(65)
  })

  it('sign refuses an --out that holds something else, and a key that is not a private key', async () => {
    await writeFile(at('notes.txt'), 'shopping list\n')
    const [clobber, publicKey] = await Promise.all([
      jaring(['sign', ...list, '--key', 'sec/secretariat.private.jwk.json', '--out', 'notes.txt']),
      jaring(['sign', ...list, '--key', 'sec/secretariat.jwks.json', '--out', 'other.jws']),
    ])
    expect(clobber.code).toBe(65)
    expect(clobber.stderr).toContain('notes.txt exists but does not hold a signed trust list')
    expect(await readFile(at('notes.txt'), 'utf8')).toBe('shopping list\n')
    expect(publicKey.code).toBe(65)
    expect(publicKey.stderr).toContain('sec/secretariat.jwks.json: is not a private key')
  })
})
