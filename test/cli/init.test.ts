import { existsSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readJwks, readPrivateSigningKey } from '../../services/node/auth/keys.ts'
import { databaseUrl, loadConfig, resolveConfigPath } from '../../services/node/config.ts'
import { parsePolicy } from '../../services/node/policy/compile.ts'
import { cliTimeoutMs, runJaring } from './run.ts'

describe('jaring init', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-init-'))
  })
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  const thai = [
    '--agency',
    'TH-RTP',
    '--name',
    'Royal Thai Police: "Bangkok" HQ',
    '--country',
    'TH',
    '--port',
    '4102',
  ]

  it('creates a node folder whose node.yaml loads, with the development issuer keys and an empty policy', async () => {
    const result = await runJaring(['init', 'th', ...thai], { cwd: workspace })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('npx jaring serve --config th/node.yaml')
    expect(result.stdout).toContain('npx jaring token --config th/node.yaml --role liaison')

    const folder = path.join(workspace, 'th')
    const config = loadConfig(path.join(folder, 'node.yaml'), {})
    expect(config).toMatchObject({
      agency: 'TH-RTP',
      name: 'Royal Thai Police: "Bangkok" HQ',
      country: 'TH',
      publicUrl: 'http://127.0.0.1:4102',
      listen: { host: '127.0.0.1', port: 4102 },
      auth: { devIssuer: { enabled: true }, issuers: [] },
    })
    expect(databaseUrl(config)).toBe(path.join(folder, 'data'))

    const privateKeyFile = resolveConfigPath(config, String(config.auth.devIssuer.privateKeyFile))
    const publicJwksFile = resolveConfigPath(config, String(config.auth.devIssuer.publicJwksFile))
    const privateKey = await readPrivateSigningKey(privateKeyFile)
    const jwks = await readJwks(publicJwksFile)
    expect(jwks.keys.map((key) => key.kid)).toEqual([privateKey.kid])
    expect(statSync(privateKeyFile).mode & 0o077).toBe(0)

    const policyFile = resolveConfigPath(config, config.policy.file)
    expect(policyFile).toBe(path.join(folder, 'policy.yaml'))
    const policy = parsePolicy(await readFile(policyFile, 'utf8'), policyFile)
    expect(policy).toMatchObject({ version: 1, agency: 'TH-RTP', agreements: [] })
  })

  it('shows the optional settings with their defaults, commented out and valid once uncommented', async () => {
    expect((await runJaring(['init', '--agency', 'VN-MPS'], { cwd: workspace })).code).toBe(0)
    const file = path.join(workspace, 'node.yaml')
    const defaults = loadConfig(file, {})
    expect(defaults).toMatchObject({
      agency: 'VN-MPS',
      name: 'VN-MPS',
      country: 'VN',
      listen: { port: 4100 },
    })

    const text = await readFile(file, 'utf8')
    expect(text).toMatch(/^# rateLimit:\n# {3}enabled: true\n# {3}maxPerMinute: 1200$/m)
    // Strip the comment marks of setting lines only (`# http:`, `#   bodyLimitBytes: ...`).
    await writeFile(file, text.replace(/^# (?=[a-zA-Z]+:$| {2}[a-zA-Z]+: )/gm, ''))
    const uncommented = loadConfig(file, {})
    expect(await readFile(file, 'utf8')).toMatch(/^operations:\n {2}metricsPublic: true$/m)
    expect(uncommented).toEqual(defaults)
  })

  it('refuses to overwrite an existing node folder without --force, and keeps the data with it', async () => {
    expect((await runJaring(['init', 'th', ...thai], { cwd: workspace })).code).toBe(0)
    const folder = path.join(workspace, 'th')
    const nodeYaml = await readFile(path.join(folder, 'node.yaml'), 'utf8')
    const firstKey = await readPrivateSigningKey(path.join(folder, 'keys/dev-issuer.private.jwk.json'))

    const refused = await runJaring(['init', 'th', '--agency', 'TH-RTP', '--port', '5000'], {
      cwd: workspace,
    })
    expect(refused.code).toBe(73)
    expect(refused.stderr).toMatch(/th\/node\.yaml already exists.*--force/)
    expect(await readFile(path.join(folder, 'node.yaml'), 'utf8')).toBe(nodeYaml)

    await mkdir(path.join(folder, 'data'))
    await writeFile(path.join(folder, 'data', 'PG_VERSION'), '17\n')
    const forced = await runJaring(['init', 'th', '--agency', 'TH-RTP', '--port', '5000', '--force'], {
      cwd: workspace,
    })
    expect(forced.code).toBe(0)
    expect(loadConfig(path.join(folder, 'node.yaml'), {}).listen.port).toBe(5000)
    const secondKey = await readPrivateSigningKey(path.join(folder, 'keys/dev-issuer.private.jwk.json'))
    expect(secondKey.kid).not.toBe(firstKey.kid)
    expect(existsSync(path.join(folder, 'data', 'PG_VERSION'))).toBe(true)
  })

  it('refuses a malformed agency code with a usage error and writes nothing', async () => {
    const result = await runJaring(['init', 'x', '--agency', 'thailand'], { cwd: workspace })
    expect(result.code).toBe(64)
    expect(result.stderr).toContain('--agency: "thailand" is not an agency code like TH-RTP')
    expect(existsSync(path.join(workspace, 'x'))).toBe(false)
  })

  it('names the setting when an option makes the config invalid', async () => {
    const result = await runJaring(['init', 'x', '--agency', 'TH-RTP', '--public-url', 'ftp://th'], {
      cwd: workspace,
    })
    expect(result.code).toBe(64)
    expect(result.stderr).toContain('publicUrl')
    expect(existsSync(path.join(workspace, 'x'))).toBe(false)
  })
})
