/**
 * `jaring tls` as a user runs it: a CA, then a node certificate from it, both checked by Node's
 * own X.509 code and served by a real HTTPS server that a client trusting only the CA accepts.
 */
import { X509Certificate } from 'node:crypto'
import { statSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliTimeoutMs, runJaring } from './run.ts'

describe('jaring tls', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  const at = (...parts: string[]) => path.join(workspace, ...parts)
  const jaring = (args: string[]) => runJaring(['tls', ...args], { cwd: workspace })
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-tls-'))
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  it('creates a CA and a node certificate that a client trusting only the CA accepts', async () => {
    const ca = await jaring(['ca', '--dir', '.', '--name', 'Demo federation CA', '--days', '30'])
    expect(ca.stderr).toBe('')
    expect(ca.code).toBe(0)
    expect(ca.stdout).toContain('federation-ca.pem: the federation CA')
    expect(statSync(at('federation-ca.key.pem')).mode & 0o777).toBe(0o600)

    const cert = await jaring([
      'cert',
      '--ca',
      '.',
      '--agency',
      'th-rtp',
      '--host',
      '127.0.0.1',
      '--host',
      'localhost',
      '--out',
      '.',
    ])
    expect(cert.stderr).toBe('')
    expect(cert.code).toBe(0)
    expect(statSync(at('TH-RTP.key.pem')).mode & 0o777).toBe(0o600)

    const authority = new X509Certificate(await readFile(at('federation-ca.pem')))
    const node = new X509Certificate(await readFile(at('TH-RTP.cert.pem')))
    expect(authority.subject).toBe('CN=Demo federation CA')
    expect(node.subject).toBe('CN=TH-RTP')
    expect(node.checkIssued(authority)).toBe(true)
    expect(node.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost')

    const server = createServer(
      { cert: await readFile(at('TH-RTP.cert.pem')), key: await readFile(at('TH-RTP.key.pem')) },
      (_request, response) => response.end('ok'),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const agent = new Agent({ connect: { ca: await readFile(at('federation-ca.pem'), 'utf8') } })
    try {
      const { port } = server.address() as AddressInfo
      const response = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent })
      expect(response.statusCode).toBe(200)
      expect(await response.body.text()).toBe('ok')
    } finally {
      await agent.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('never replaces a CA, and refuses a bad host or a missing CA', async () => {
    const again = await jaring(['ca', '--dir', '.'])
    expect(again.code).toBe(64)
    expect(again.stderr).toContain('exists already: it is never replaced')
    const host = await jaring([
      'cert',
      '--ca',
      '.',
      '--agency',
      'VN-MPS',
      '--host',
      'not a host',
      '--out',
      '.',
    ])
    expect(host.code).not.toBe(0)
    expect(host.stderr).toContain('must be an IP address or a DNS name')
    const missing = await jaring([
      'cert',
      '--ca',
      'nowhere',
      '--agency',
      'VN-MPS',
      '--host',
      '127.0.0.1',
      '--out',
      '.',
    ])
    expect(missing.code).toBe(64)
    expect(missing.stderr).toContain('no CA there')
  })
})
