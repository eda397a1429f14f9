/**
 * `jaring demo` as a user runs it: the real command in a child process, three nodes on real ports,
 * state in a temporary `--dir`. The starts run in order and share that folder: a first start
 * interrupted while seeding, a start that completes it, a restart that reuses the data (a person
 * written in the run before is still there), and a `--reset` that starts afresh.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliTimeoutMs, runJaring, startJaring } from './run.ts'

const agencies = ['HK-HKPF', 'TH-RTP', 'VN-MPS'] as const
type Agency = (typeof agencies)[number]

interface PrintedNode {
  agency: Agency
  name: string
  graphiql: string
  graphql: string
  token: string
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server))
  })
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))

/** A base port whose next two ports are free too: port 0 picks one, then its neighbours are tried. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0)
    const base = (first.address() as AddressInfo).port
    await closeServer(first)
    if (base + 2 > 65_535) continue
    const held: Server[] = []
    try {
      for (const port of [base, base + 1, base + 2]) held.push(await listen(port))
      return base
    } catch {
      // one of them is taken: try another
    } finally {
      await Promise.all(held.map(closeServer))
    }
  }
  throw new Error('no three consecutive free ports found')
}

/** The node blocks of the banner: agency · name, then GraphiQL, GraphQL and token lines. */
function printedNodes(stderr: string): Map<Agency, PrintedNode> {
  const pattern = /^(\S+) · (.+)\n {2}GraphiQL {2}(\S+)\n {2}GraphQL {3}(\S+)\n {2}token {5}(\S+)$/gm
  const nodes = new Map<Agency, PrintedNode>()
  for (const [, agency, name, graphiql, graphql, token] of stderr.matchAll(pattern)) {
    nodes.set(agency as Agency, {
      agency: agency as Agency,
      name: name as string,
      graphiql: graphiql as string,
      graphql: graphql as string,
      token: token as string,
    })
  }
  return nodes
}

interface PersonPage {
  nodes: { id: string; externalRef: string; source: { agency: string } }[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  peers?: { agency: string; status: string; latencyMs: number; code: string | null }[]
}

interface MergedStatistics {
  merged: { agencies: string[]; cells: { value: number | null; suppressed: boolean }[] }
  peers: { agency: string; status: string }[]
}

interface GraphQLBody {
  data?: {
    persons?: PersonPage
    createPerson?: { id: string; externalRef: string }
    statistics?: MergedStatistics
  }
  errors?: unknown[]
}

async function graphql(
  node: PrintedNode,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: GraphQLBody }> {
  const response = await fetch(node.graphql, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, body: await response.json() }
}

/** Every person the token may see on the node, by paging through `persons`. */
async function allPersonRefs(node: PrintedNode, token: string): Promise<string[]> {
  const refs: string[] = []
  let after: string | null = null
  for (let page = 0; page < 100; page++) {
    const { status, body } = await graphql(
      node,
      token,
      'query ($after: Cursor) { persons(first: 100, after: $after) { nodes { id externalRef source { agency } } pageInfo { hasNextPage endCursor } } }',
      { after },
    )
    expect(status).toBe(200)
    expect(body.errors).toBeUndefined()
    const persons = body.data?.persons as PersonPage
    for (const person of persons.nodes) {
      expect(person.source.agency).toBe(node.agency)
      refs.push(person.externalRef)
    }
    if (!persons.pageInfo.hasNextPage) return refs
    after = persons.pageInfo.endCursor
  }
  throw new Error('persons never reached its last page')
}

/**
 * The story of the demo: HK's liaison officer, investigating, pastes the printed query with HK's
 * printed token and finds the suspect at TH and VN, each answer tagged with its owner.
 */
async function expectTheStory(stderr: string, nodes: Map<Agency, PrintedNode>): Promise<void> {
  const story = /^ {2}(\{ persons\(filter: \{ phone: "(\+\d{8,15})" \}, reach: \{ all: true.*)$/m.exec(stderr)
  expect(story, stderr).not.toBeNull()
  const hk = nodes.get('HK-HKPF') as PrintedNode
  const { status, body } = await graphql(hk, hk.token, (story as RegExpExecArray)[1] as string)
  expect(status).toBe(200)
  expect(body.errors).toBeUndefined()
  const answer = body.data?.persons as PersonPage
  expect(answer.peers?.map((peer) => [peer.agency, peer.status, peer.code])).toEqual([
    ['TH-RTP', 'ANSWERED', null],
    ['VN-MPS', 'ANSWERED', null],
  ])
  const owners = new Set(answer.nodes.map((person) => person.source.agency))
  expect(owners).toContain('TH-RTP')
  expect(owners).toContain('VN-MPS')
  for (const person of answer.nodes) expect(person.id.startsWith(`${person.source.agency}:`)).toBe(true)
}

/**
 * The secretariat's part: the printed statistics token and query at Thailand's node give one merged
 * table of all three agencies, suppressed cells marked; the same token reaches no record.
 */
async function expectTheSecretariat(stderr: string, nodes: Map<Agency, PrintedNode>): Promise<void> {
  const block =
    /^The secretariat: .*\n {2}token {5}(\S+)\n {2}charts {4}(\S+).*\n.*\n {2}(\{ statistics.*)$/m.exec(
      stderr,
    )
  expect(block, stderr).not.toBeNull()
  const [, token, charts, query] = block as RegExpExecArray
  const th = nodes.get('TH-RTP') as PrintedNode
  expect(charts).toBe(th.graphql.replace(/graphql$/, 'stats'))
  expect((await fetch(charts as string)).status).toBe(200)
  const { status, body } = await graphql(th, token as string, query as string)
  expect(status, JSON.stringify(body)).toBe(200)
  const statistics = body.data?.statistics as MergedStatistics
  expect(statistics.merged.agencies).toEqual(['HK-HKPF', 'TH-RTP', 'VN-MPS'])
  expect(statistics.peers.map((peer) => [peer.agency, peer.status])).toEqual([
    ['HK-HKPF', 'ANSWERED'],
    ['VN-MPS', 'ANSWERED'],
  ])
  for (const cell of statistics.merged.cells) expect(cell.value === null).toBe(cell.suppressed)
  const records = await graphql(th, token as string, '{ persons(first: 1) { nodes { id } } }')
  expect(
    (records.body.errors as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code,
  ).toBe('FORBIDDEN')
}

describe('jaring demo', { timeout: cliTimeoutMs }, () => {
  let workspace: string
  let demoDir: string
  let basePort: number
  /** The TH persons a liaison officer sees after the first start's seeding. */
  let seededRefs: string[]
  const addedRef = 'DEMO-TEST-PERSON-1'

  const start = (...extra: string[]) =>
    startJaring(['demo', '--dir', demoDir, '--base-port', String(basePort), '--cases', '100', ...extra], {
      cwd: workspace,
      // Meant for `jaring serve`: the demo's nodes keep to their own folders and ports regardless.
      env: { JARING_PORT: '1', DATABASE_URL: 'postgres://127.0.0.1:1/nowhere' },
    })

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-demo-'))
    demoDir = path.join(workspace, 'state')
    basePort = await freeBasePort()
  })
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  it('Ctrl-C during the first start stops after the step at hand, keeping the folders finished so far', async () => {
    const demo = start()
    try {
      await demo.waitForStderr(/HK-HKPF +seeded 100 cases/)
      demo.child.kill('SIGINT')
      const result = await demo.finished
      expect(result.code).toBe(0)
      expect(result.stderr).toContain('SIGINT: stopping after the current step')
      expect(result.stderr).toContain('Stopped before the nodes were ready.')
      expect(result.stderr).not.toContain('GraphiQL')
      expect(existsSync(path.join(demoDir, 'HK-HKPF', 'seeded.json'))).toBe(true)
      expect(existsSync(path.join(demoDir, 'VN-MPS', 'seeded.json'))).toBe(false)
    } finally {
      demo.child.kill('SIGKILL')
    }
  })

  it('the next start completes the folders, serves three nodes and prints a token each', async () => {
    const demo = start()
    try {
      const stderr = (await demo.waitForStderr(/Ready in [\d.]+s/)).input ?? ''
      // Hong Kong's folder was complete and is kept; Viet Nam's is made now.
      expect(stderr).not.toMatch(/HK-HKPF +seeded/)
      expect(stderr).toMatch(/VN-MPS +seeded 100 cases/)
      expect(await readdir(demoDir)).toEqual(expect.arrayContaining(['demo.json', ...agencies]))
      for (const agency of agencies) expect(existsSync(path.join(demoDir, agency, 'seeded.json'))).toBe(true)

      const nodes = printedNodes(stderr)
      expect([...nodes.keys()]).toEqual([...agencies])
      expect(nodes.get('HK-HKPF')?.name).toBe('Hong Kong Police Force')
      expect(nodes.get('TH-RTP')?.name).toBe('Royal Thai Police')
      for (const [index, agency] of agencies.entries()) {
        const node = nodes.get(agency) as PrintedNode
        const url = `http://127.0.0.1:${basePort + index}`
        expect(node.graphiql).toBe(`${url}/graphiql`)
        expect(node.graphql).toBe(`${url}/graphql`)
        const ready = await fetch(`${url}/health/ready`)
        expect(ready.status).toBe(200)
        const page = await fetch(node.graphiql)
        expect(page.status).toBe(200)
        expect(await page.text()).toContain(agency)
      }
      expect(stderr).toContain('persons(first: 5)')
      // The interrupted start stopped before the trust list's step (it follows the databases).
      expect(stderr).toContain(`trust list created: ${path.join('state', 'trust-list.jws')}`)

      await expectTheStory(stderr, nodes)
      await expectTheSecretariat(stderr, nodes)

      const th = nodes.get('TH-RTP') as PrintedNode
      const hk = nodes.get('HK-HKPF') as PrintedNode
      const { status, body } = await graphql(
        th,
        th.token,
        '{ persons(first: 5) { nodes { id source { agency } primaryName { fullName } } } }',
      )
      expect(status).toBe(200)
      expect(body.data?.persons?.nodes).toHaveLength(5)
      for (const person of body.data?.persons?.nodes ?? []) expect(person.id).toMatch(/^TH-RTP:/)
      // Each token is its own node's: Hong Kong's is no key to the Thai node.
      expect((await graphql(th, hk.token, '{ persons(first: 1) { nodes { id } } }')).status).toBe(401)

      seededRefs = await allPersonRefs(th, th.token)
      expect(seededRefs.length).toBeGreaterThan(100)

      // A person written now must survive the restart (the seed alone is deterministic).
      const token = await runJaring(
        ['token', '--config', path.join(demoDir, 'TH-RTP', 'node.yaml'), '--role', 'system'],
        { cwd: workspace },
      )
      expect(token.code).toBe(0)
      const created = await graphql(
        th,
        token.stdout.trim(),
        'mutation ($input: CreatePersonInput!) { createPerson(input: $input) { id externalRef } }',
        { input: { externalRef: addedRef, names: [{ fullName: 'Somchai Testperson' }], nationality: 'TH' } },
      )
      expect(created.body.errors).toBeUndefined()
      expect(created.body.data?.createPerson?.externalRef).toBe(addedRef)

      demo.child.kill('SIGINT')
      const result = await demo.finished
      expect(result.code).toBe(0)
      expect(result.stderr).toContain('SIGINT: stopping the 3 nodes')
      expect(result.stderr.trimEnd().endsWith('Stopped.')).toBe(true)
      // node.yaml of the demo keeps the nodes' logs to warnings and errors.
      for (const line of result.stdout.split('\n').filter(Boolean))
        expect(JSON.parse(line).level).toBeGreaterThanOrEqual(40)
    } finally {
      demo.child.kill('SIGKILL')
    }
  })

  it('a restart reuses the folders and the data, upgrading a folder without a trust list; a second signal stops it at once', async () => {
    // A demo folder from before the federation: no trust list, node.yaml without its settings.
    await rm(path.join(demoDir, 'trust-list.jws'))
    for (const agency of agencies) {
      const file = path.join(demoDir, agency, 'node.yaml')
      const text = await readFile(file, 'utf8')
      await writeFile(file, text.replaceAll(/^ {2}trust(Anchor|List)File: .*\n/gm, ''))
      expect(await readFile(file, 'utf8')).not.toContain('trustListFile')
    }
    const demo = start()
    try {
      const stderr = (await demo.waitForStderr(/Ready in [\d.]+s/)).input ?? ''
      expect(stderr).toContain('reusing')
      expect(stderr).toContain('(ignoring DATABASE_URL, JARING_PORT')
      expect(stderr).not.toMatch(/seeded \d+ cases|database created|cases per agency/)
      expect(stderr).toContain('trust list signed again')
      for (const agency of agencies)
        expect(await readFile(path.join(demoDir, agency, 'node.yaml'), 'utf8')).toContain(
          'trustListFile: ../trust-list.jws',
        )
      await expectTheStory(stderr, printedNodes(stderr))
      expect(stderr).toContain('--cases is for a first start')
      const th = printedNodes(stderr).get('TH-RTP') as PrintedNode
      const refs = await allPersonRefs(th, th.token)
      expect(refs).toHaveLength(seededRefs.length + 1)
      expect(refs).toContain(addedRef)

      // A request in flight (its body never ends) holds the graceful shutdown up to its grace period.
      const stuck = connect(basePort + 1, '127.0.0.1')
      stuck.on('error', () => {})
      await new Promise((resolve) => stuck.once('connect', resolve))
      stuck.write(
        'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      )
      await new Promise((resolve) => setTimeout(resolve, 200))
      demo.child.kill('SIGINT')
      await demo.waitForStderr(/stopping the 3 nodes/)
      const secondAt = performance.now()
      demo.child.kill('SIGINT')
      const result = await demo.finished
      stuck.destroy()
      expect(result.code).toBe(130)
      expect(result.stderr).toContain('SIGINT again: stopping at once.')
      expect(performance.now() - secondAt).toBeLessThan(5_000)
    } finally {
      demo.child.kill('SIGKILL')
    }
  })

  it('--reset deletes the demo folder and seeds afresh; SIGTERM stops it with exit code 0', async () => {
    const demo = start('--reset')
    try {
      const stderr = (await demo.waitForStderr(/Ready in [\d.]+s/)).input ?? ''
      expect(stderr).toContain('deleted and creating')
      for (const agency of agencies) expect(stderr).toMatch(new RegExp(`${agency} +seeded 100 cases`))
      const th = printedNodes(stderr).get('TH-RTP') as PrintedNode
      const refs = await allPersonRefs(th, th.token)
      expect(refs.sort()).toEqual([...seededRefs].sort())
      expect(refs).not.toContain(addedRef)
      demo.child.kill('SIGTERM')
      const result = await demo.finished
      expect(result.code).toBe(0)
      expect(result.stderr).toContain('SIGTERM: stopping the 3 nodes')
    } finally {
      demo.child.kill('SIGKILL')
    }
  })

  it('fails with exit code 69 naming the port and --base-port when a port is taken, writing nothing', async () => {
    const dir = path.join(workspace, 'port-taken')
    const blocker = await listen(basePort + 2)
    try {
      const result = await runJaring(['demo', '--dir', dir, '--base-port', String(basePort)], {
        cwd: workspace,
      })
      expect(result.code).toBe(69)
      expect(result.stderr).toContain(`port ${basePort + 2} (for VN-MPS) is already in use`)
      expect(result.stderr).toContain('--base-port')
      expect(existsSync(dir)).toBe(false)
    } finally {
      await closeServer(blocker)
    }
  })

  it('refuses, with exit code 64, a --dir that holds something else, and leaves it untouched', async () => {
    const dir = path.join(workspace, 'not-a-demo')
    await mkdir(dir)
    await writeFile(path.join(dir, 'notes.txt'), 'keep me\n')
    const result = await runJaring(['demo', '--dir', dir, '--base-port', String(basePort), '--reset'], {
      cwd: workspace,
    })
    expect(result.code).toBe(64)
    expect(result.stderr).toContain('is not empty and is not a demo folder')
    expect(await readdir(dir)).toEqual(['notes.txt'])
  })

  it('refuses bad numbers with exit code 64 naming the option', async () => {
    const badPort = await runJaring(['demo', '--dir', demoDir, '--base-port', '65534'], { cwd: workspace })
    expect(badPort.code).toBe(64)
    expect(badPort.stderr).toContain('--base-port must be a whole number from 1 to 65,533, not "65534"')
    const badCases = await runJaring(['demo', '--dir', demoDir, '--cases', '5'], { cwd: workspace })
    expect(badCases.code).toBe(64)
    expect(badCases.stderr).toContain('--cases must be a whole number from 100')
  })
})
