import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestDatabaseUrl,
  type TestDatabaseLocation,
  testDatabaseDriver,
  testDatabaseLabel,
} from '../support/database.ts'
import { cliTimeoutMs, runJaring, startJaring } from './run.ts'

describe('jaring serve with a bad config', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-serve-'))
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  it('exits 78 naming the field at fault and why', async () => {
    const file = path.join(workspace, 'bad.yaml')
    await writeFile(
      file,
      'agency: TH-RTP\nname: Royal Thai Police\ncountry: TH\npublicUrl: http://127.0.0.1:4102\nlisten:\n  port: 99999\n',
    )
    const result = await runJaring(['serve', '--config', file])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('listen.port: must be <= 65535')
    expect(result.stdout).toBe('')
  })

  it('exits 78 naming an unknown setting', async () => {
    const file = path.join(workspace, 'typo.yaml')
    await writeFile(
      file,
      'agency: TH-RTP\nname: x\ncountry: TH\npublicUrl: http://127.0.0.1:4102\nlisten:\n  prot: 4102\n',
    )
    const result = await runJaring(['serve', '--config', file])
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('listen.prot: is not a known setting')
  })

  it('exits 78 pointing to `jaring init` when there is no node.yaml', async () => {
    const empty = path.join(workspace, 'empty')
    await mkdir(empty)
    const result = await runJaring(['serve'], { cwd: empty })
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('node.yaml: no such file. Create a node folder with `npx jaring init`.')
  })
})

describe(`jaring serve on ${testDatabaseLabel()}`, { timeout: cliTimeoutMs }, () => {
  let workspace: string
  let database: TestDatabaseLocation
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-serve-'))
    database = await createTestDatabaseUrl()
    const init = await runJaring(['init', 'th', '--agency', 'TH-RTP', '--name', 'Royal Thai Police'], {
      cwd: workspace,
    })
    expect(init.code).toBe(0)
  })
  afterAll(async () => {
    await database?.drop()
    await rm(workspace, { recursive: true, force: true })
  })

  it('serves until SIGTERM, answering /health/ready, then shuts down and exits 0', async () => {
    const node = startJaring(['serve', '--config', 'th/node.yaml'], {
      cwd: workspace,
      env: { JARING_PORT: '0', JARING_DATABASE_URL: database.url },
    })
    try {
      const [, url] = await node.waitForStderr(/is serving at (http:\/\/127\.0\.0\.1:\d+)\n/)
      const stderr = (await node.waitForStderr(/Stop it with/)).input ?? ''
      expect(stderr).toContain(`GraphiQL  ${url}/graphiql`)
      const response = await fetch(`${url}/health/ready`)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({
        status: 'ready',
        database: { driver: testDatabaseDriver() },
      })
      node.child.kill('SIGTERM')
      const result = await node.finished
      expect(result.code).toBe(0)
      const logLines = result.stdout.trimEnd().split('\n')
      for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow()
      expect(logLines.map((line) => JSON.parse(line).msg)).toContain('shutting down')
    } finally {
      node.child.kill('SIGKILL')
    }
  })

  it('exits 69 naming the address when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await once(blocker, 'listening')
    const { port } = blocker.address() as AddressInfo
    try {
      const result = await runJaring(['serve', '--config', 'th/node.yaml'], {
        cwd: workspace,
        env: { JARING_PORT: String(port), JARING_DATABASE_URL: database.url },
      })
      expect(result.code).toBe(69)
      expect(result.stderr).toContain(`listen: 127.0.0.1:${port} is already in use`)
    } finally {
      blocker.close()
    }
  })
})
