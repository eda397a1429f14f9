/**
 * Where a node's CPU goes per request: `npx node bench/profile.ts [--query typename|read|health|import|batch]
 * [--seconds N] [--top N] [--save file.cpuprofile]` seeds a small database, starts a node with
 * `--cpu-prof`, loads it with one query from this process, stops it and prints the profile's self
 * time by function and by package (and the request count, so a figure reads as microseconds per
 * request); `--save` keeps the profile for DevTools. Not part of `npm run bench`: a tool for
 * finding what to fix when a node figure misses its goal.
 */
import { copyFile, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { personLine } from './import.ts'
import { createRunState } from './lib/context.ts'
import { seededDatabase } from './lib/datasets.ts'
import { generatedPassport } from './lib/identifiers.ts'
import { graphqlTarget, type LoadTarget } from './lib/load.ts'
import { startNode } from './lib/node.ts'
import { readablePersonId, recordQuery, typenameQuery } from './lib/reads.ts'
import { batchQuery } from './lookup.ts'

const { values } = parseArgs({
  options: {
    query: { type: 'string', default: 'typename' },
    seconds: { type: 'string', default: '8' },
    top: { type: 'string', default: '40' },
    /** An existing database (e.g. one topped up with lib/identifiers.ts) instead of a fresh seed. */
    database: { type: 'string' },
    /** Also keep the .cpuprofile here (Chrome DevTools and speedscope open it). */
    save: { type: 'string' },
  },
})

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

function packageOf(url: string): string {
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url)
  }
  const services = url.indexOf('/services/')
  if (services >= 0)
    return url
      .slice(services + 1)
      .split('/')
      .slice(0, 3)
      .join('/')
  const db = url.indexOf('/db/')
  if (db >= 0) return 'db'
  if (url.startsWith('node:')) return url
  return url === '' ? '(native/gc/idle)' : url
}

/** Summarises the samples of the profile's last `tailMicros` (the measured load and the stop). */
function summarise(profile: Profile, requests: number, top: number, tailMicros: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const micros = new Map<number, number>()
  const from = profile.endTime - tailMicros
  let time = profile.startTime
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0
    time += delta
    if (time < from) continue
    const id = profile.samples[index] as number
    micros.set(id, (micros.get(id) ?? 0) + delta)
  }
  const selfByFunction = new Map<string, number>()
  const selfByPackage = new Map<string, number>()
  let busy = 0
  for (const [id, time] of micros) {
    const node = byId.get(id) as ProfileNode
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') continue
    busy += time
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|services|db)\//, '$1/')}:${lineNumber + 1}`
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + time)
    const pkg = functionName === '(garbage collector)' ? '(gc)' : packageOf(url)
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + time)
  }
  // Inclusive time of our own functions: where in the request path the time is spent.
  const inclusive = new Map<string, number>()
  const totals = new Map<number, number>()
  const total = (id: number): number => {
    const known = totals.get(id)
    if (known !== undefined) return known
    const node = byId.get(id) as ProfileNode
    let sum = micros.get(id) ?? 0
    for (const child of node.children ?? []) sum += total(child)
    totals.set(id, sum)
    return sum
  }
  const walk = (id: number, onStack: Set<string>) => {
    const node = byId.get(id) as ProfileNode
    const { functionName, url, lineNumber } = node.callFrame
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|services|db)\//, '$1/')}:${lineNumber + 1}`
    const counted = onStack.has(key)
    if (!counted) inclusive.set(key, (inclusive.get(key) ?? 0) + total(id))
    const next = counted ? onStack : new Set(onStack).add(key)
    for (const child of node.children ?? []) walk(child, next)
  }
  const root = profile.nodes[0]
  if (root) walk(root.id, new Set())
  const perRequest = (time: number) => (time / requests).toFixed(1).padStart(8)
  const lines = [
    `${requests} requests; busy ${(busy / 1000).toFixed(0)} ms = ${perRequest(busy)} us per request`,
    '',
    'self time by package (us per request):',
  ]
  for (const [name, time] of [...selfByPackage].sort((a, b) => b[1] - a[1]).slice(0, 25))
    lines.push(`${perRequest(time)}  ${name}`)
  lines.push('', 'self time by function (us per request):')
  for (const [name, time] of [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${perRequest(time)}  ${name}`)
  lines.push('', 'inclusive time, functions of services/ and db/ (us per request):')
  for (const [name, time] of [...inclusive]
    .filter(([name]) => / (services|db)\//.test(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    lines.push(`${perRequest(time)}  ${name}`)
  return lines.join('\n')
}

const state = await createRunState(true)
try {
  const seeded = values.database
    ? { url: values.database }
    : await seededDatabase(state.context, 'TH-RTP', 2_000)
  const profileDir = path.join(state.context.scratch, 'profile')
  const node = await startNode(state.context, {
    agency: 'TH-RTP',
    databaseUrl: seeded.url,
    label: 'profiled',
    execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '200'],
  })
  const token = await node.token(values.query === 'import' ? 'system' : 'liaison')
  const id = await readablePersonId(node, token)
  const targets: Record<string, LoadTarget> = {
    typename: graphqlTarget('typename', node, token, typenameQuery),
    read: graphqlTarget('read', node, token, recordQuery, { id }),
    health: { name: 'health', node, path: '/health/live' },
    // 1,000 identifiers in one request: 100 `Q` passports of lib/identifiers.ts, 900 unknown.
    batch: graphqlTarget('batch', node, token, batchQuery, {
      identifiers: Array.from({ length: 1_000 }, (_, index) => ({
        kind: 'PASSPORT',
        value: generatedPassport(index < 100 ? index * 7 : 50_000_000 + index),
      })),
    }),
    // One request per line counted: --seconds is the number of thousands of lines.
    import: {
      name: 'import',
      node,
      path: '/api/v1/import',
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body: '',
    },
  }
  const target = targets[values.query as string]
  if (!target) throw new Error(`--query: one of ${Object.keys(targets).join(', ')}`)
  if (values.query === 'import') {
    const lines = Number(values.seconds) * 1000
    const body = (from: number, count: number) =>
      `${Array.from({ length: count }, (_, index) => personLine(from + index)).join('\n')}\n`
    const post = (text: string) =>
      fetch(`${node.url}/api/v1/import`, { method: 'POST', headers: target.headers ?? {}, body: text }).then(
        async (response) => {
          if (!response.ok) throw new Error(`import: ${response.status} ${await response.text()}`)
        },
      )
    await post(body(10_000_000, 500))
    const measured = performance.now()
    await post(body(0, lines))
    const wall = performance.now() - measured
    await node.stop()
    const tailMicros = (performance.now() - measured) * 1000
    process.stdout.write(`import: ${lines} lines in ${wall.toFixed(0)} ms\n`)
    const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'))
    if (!file) throw new Error('the node wrote no profile')
    const profile = JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as Profile
    process.stdout.write(`${summarise(profile, lines, Number(values.top), tailMicros)}\n`)
    process.exit(0)
  }
  const run = (seconds: number) =>
    autocannon({
      url: `${node.url}${target.path}`,
      method: target.method ?? 'GET',
      ...(target.headers ? { headers: target.headers } : {}),
      ...(target.body === undefined ? {} : { body: target.body }),
      connections: 8,
      duration: seconds,
    })
  await run(2)
  const cpuBefore = await node.cpuSeconds()
  const measured = performance.now()
  const result = await run(Number(values.seconds))
  const cpuAfter = await node.cpuSeconds()
  await node.stop()
  const tailMicros = (performance.now() - measured) * 1000
  const answered = result['2xx']
  process.stdout.write(
    `${values.query}: ${answered} answered (${result.non2xx} non-2xx), ${(((cpuAfter - cpuBefore) * 1e6) / answered).toFixed(0)} us CPU per request by /metrics\n`,
  )
  const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'))
  if (!file) throw new Error('the node wrote no profile')
  if (values.save) await copyFile(path.join(profileDir, file), values.save)
  const profile = JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as Profile
  process.stdout.write(`${summarise(profile, answered, Number(values.top), tailMicros)}\n`)
} finally {
  await state.cleanup()
}
