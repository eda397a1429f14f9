/**
 * The development issuer and `jaring token`: tokens it mints are accepted by the node whose config
 * minted them, and by no other; the command prints the token alone and fails with meaningful exit codes.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { exitCodes } from '../../../services/cli/cli-error.ts'
import { main } from '../../../services/cli/main.ts'
import { DevTokenError, mintDevToken } from '../../../services/node/auth/dev-issuer.ts'
import { createTokenVerifier, type TokenVerifier } from '../../../services/node/auth/verify.ts'
import type { NodeConfig } from '../../../services/node/config.ts'
import { type AuthKeys, authTestConfig, createAuthKeys } from './fixture.ts'

const run = promisify(execFile)

interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** The command in this process (each child process start costs seconds), its output captured. */
async function jaring(...args: string[]): Promise<CommandResult> {
  const output = { stdout: '', stderr: '' }
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write }
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      output[stream] += String(chunk)
      return true
    }) as typeof process.stdout.write
  process.stdout.write = capture('stdout')
  process.stderr.write = capture('stderr')
  try {
    const code = await main(['node', 'jaring', ...args])
    return { code, ...output }
  } finally {
    process.stdout.write = writes.stdout
    process.stderr.write = writes.stderr
  }
}
const bin = join(import.meta.dirname, '../../../services/cli/bin.ts')

let keys: AuthKeys
let config: NodeConfig
let verifier: TokenVerifier

beforeAll(async () => {
  keys = await createAuthKeys()
  config = authTestConfig(keys)
  verifier = await createTokenVerifier(config)
})
afterAll(async () => {
  await keys?.close()
})

describe('mintDevToken', () => {
  it('signs a token with the typ of the role’s kind, this node as the one audience, and a fresh jti', async () => {
    const system = await mintDevToken(config, { role: 'system', subject: 'records-loader' })
    expect(decodeProtectedHeader(system)).toEqual({
      alg: 'EdDSA',
      kid: keys.dev.signing.kid,
      typ: 'system+jwt',
    })
    const claims = decodeJwt(system)
    expect(claims).toMatchObject({
      iss: 'http://127.0.0.1:4102/dev-issuer',
      aud: 'TH-RTP',
      sub: 'records-loader',
      roles: ['system'],
    })
    expect(Number(claims.exp) - Number(claims.iat)).toBe(config.auth.maxTokenAgeSeconds)
    const other = decodeJwt(await mintDevToken(config, { role: 'system' }))
    expect(other.jti).not.toBe(claims.jti)
    expect(other.sub).toBe('dev-system')
    expect(decodeProtectedHeader(await mintDevToken(config, { role: 'admin' })).typ).toBe('officer+jwt')
  })

  it('carries the optional claims, and never lets extra claims replace the ones access depends on', async () => {
    const token = await mintDevToken(config, {
      role: 'liaison',
      ttlSeconds: 60,
      clearance: 'GREEN',
      purpose: 'rescue',
      caseRef: 'TH-2026-7',
      extraClaims: { roles: ['admin'], aud: 'VN-MPS', clearance: 'RED', locale: 'th' },
    })
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ roles: ['liaison'], aud: 'TH-RTP', clearance: 'GREEN', locale: 'th' })
    expect(Number(claims.exp) - Number(claims.iat)).toBe(60)
    expect(await verifier.verify(token)).toMatchObject({
      clearance: 'GREEN',
      purpose: 'rescue',
      caseReference: 'TH-2026-7',
    })
  })

  it('refuses what the node would refuse, and a disabled issuer', async () => {
    const refusal = (reason: 'config' | 'request') =>
      expect.objectContaining({ name: DevTokenError.name, reason })
    await expect(mintDevToken(config, { role: 'liaison', clearance: 'RED' })).rejects.toThrow(
      refusal('request'),
    )
    await expect(mintDevToken(config, { role: 'liaison', ttlSeconds: 0 })).rejects.toThrow(refusal('request'))
    await expect(
      mintDevToken(config, { role: 'liaison', ttlSeconds: config.auth.maxTokenAgeSeconds + 1 }),
    ).rejects.toThrow(refusal('request'))
    await expect(mintDevToken(config, { role: 'analyst', kind: 'system' })).rejects.toThrow(
      refusal('request'),
    )
    await expect(mintDevToken(config, { role: 'root' as never })).rejects.toThrow(refusal('request'))
    const disabled = authTestConfig(keys, { devIssuer: { enabled: false } })
    await expect(mintDevToken(disabled, { role: 'liaison' })).rejects.toThrow(refusal('config'))
  })

  it('mints tokens that another node does not accept', async () => {
    const otherNode = await createTokenVerifier({
      ...config,
      agency: 'VN-MPS',
      auth: { ...config.auth, issuers: [] },
    })
    await expect(otherNode.verify(await mintDevToken(config, { role: 'liaison' }))).rejects.toThrow(
      expect.objectContaining({ code: 'TOKEN_AUDIENCE_MISMATCH' }),
    )
  })
})

describe('jaring token', () => {
  let nodeYaml: string

  beforeAll(async () => {
    nodeYaml = join(keys.folder, 'node.yaml')
    await writeFile(
      nodeYaml,
      stringify({
        agency: 'TH-RTP',
        name: 'Royal Thai Police',
        country: 'TH',
        publicUrl: 'http://127.0.0.1:4102',
        auth: {
          devIssuer: {
            enabled: true,
            privateKeyFile: 'dev-issuer.private.jwk.json',
            publicJwksFile: 'dev-issuer.jwks.json',
          },
        },
      }),
    )
  })

  /** The real command in a child process (as `npx jaring` runs it). */
  async function spawnJaring(...args: string[]): Promise<CommandResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }

  it('prints only a token, which the node accepts', async () => {
    const result = await spawnJaring(
      'token',
      '--config',
      nodeYaml,
      '--role',
      'analyst',
      '--subject',
      'officer-9',
      '--ttl',
      '300',
      '--clearance',
      'green',
      '--purpose',
      'investigation',
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    const principal = await verifier.verify(result.stdout.trim())
    expect(principal).toMatchObject({
      subject: 'officer-9',
      roles: ['analyst'],
      clearance: 'GREEN',
      purpose: 'investigation',
    })
  }, 60_000)

  it('prints the same from within the process (the harness the error cases use)', async () => {
    const result = await jaring('token', '--config', nodeYaml, '--role', 'system')
    expect([result.code, result.stderr]).toEqual([0, ''])
    expect((await verifier.verify(result.stdout.trim())).kind).toBe('system')
  })

  it('fails with a usage exit code for a bad role, lifetime or clearance, and a config one for a bad config', async () => {
    const usage = [
      ['--role', 'root'],
      ['--role', 'liaison', '--ttl', 'soon'],
      ['--role', 'liaison', '--ttl', '999999'],
      ['--role', 'liaison', '--clearance', 'RED'],
      ['--role', 'liaison', '--clearance', 'PURPLE'],
    ]
    for (const args of usage) {
      const result = await jaring('token', '--config', nodeYaml, ...args)
      expect([result.code, result.stdout], args.join(' ')).toEqual([exitCodes.usage, ''])
      expect(result.stderr).toMatch(/^jaring: /)
    }
    const missing = await jaring('token', '--config', join(keys.folder, 'absent.yaml'), '--role', 'liaison')
    expect([missing.code, missing.stdout]).toEqual([exitCodes.config, ''])
    expect(missing.stderr).toContain('absent.yaml: cannot be read')

    const disabledYaml = join(keys.folder, 'disabled.yaml')
    await writeFile(
      disabledYaml,
      stringify({ agency: 'TH-RTP', name: 'x', country: 'TH', publicUrl: 'http://127.0.0.1:1' }),
    )
    const disabled = await jaring('token', '--config', disabledYaml, '--role', 'liaison')
    expect(disabled.code).toBe(exitCodes.config)
    expect(disabled.stderr).toContain('development issuer is disabled')
  })
})
