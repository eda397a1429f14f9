/**
 * The Dockerfile, checked without a container engine (none runs here, so the image cannot be
 * built in CI): every path it copies exists and survives .dockerignore, the Node of the base image
 * is the project's, what it starts and probes are real files and a real `jaring` command, and the
 * code it copies needs no development dependency (it installs with --omit=dev).
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliTimeoutMs, runJaring } from '../cli/run.ts'

const root = path.resolve(import.meta.dirname, '../..')
/** Where the Dockerfile puts the project (WORKDIR). */
const appDir = '/app'

interface Instruction {
  keyword: string
  args: string
}

/** The instructions, with continued lines joined and comments dropped. */
function instructionsOf(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replaceAll(/\\\n/g, ' ')
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/)
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') }
    })
}

/** An exec-form argument list (a JSON array), as CMD, ENTRYPOINT and HEALTHCHECK CMD must use. */
function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
    throw new Error(`not an exec-form list: ${args}`)
  return parsed
}

/** Static imports and re-exports (over several lines too), side-effect imports, dynamic imports. */
const importSpecifiers =
  /^(?:import|export)\b[^'"]*?\bfrom\s*'([^']+)'|^import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm

/** A path inside the image, as a path of this checkout (the Dockerfile copies the project to /app). */
function inCheckout(imagePath: string): string {
  expect(imagePath.startsWith(`${appDir}/`), imagePath).toBe(true)
  return path.join(root, imagePath.slice(appDir.length + 1))
}

describe('the Dockerfile', () => {
  let instructions: Instruction[]
  let ignored: string[]
  const one = (keyword: string) => {
    const found = instructions.filter((instruction) => instruction.keyword === keyword)
    expect(found, keyword).toHaveLength(1)
    return found[0] as Instruction
  }

  beforeAll(async () => {
    instructions = instructionsOf(await readFile(path.join(root, 'Dockerfile'), 'utf8'))
    ignored = (await readFile(path.join(root, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
  })

  it("starts from the slim image of the Node the project pins (the `node` devDependency's release)", async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
    }
    expect(one('FROM').args).toBe(`node:${pkg.devDependencies.node}-slim`)
  })

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const copies = instructions.filter((instruction) => instruction.keyword === 'COPY')
    expect(copies.length).toBeGreaterThan(0)
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith('--'))
      const sources = parts.slice(0, -1)
      expect(sources.length, copy.args).toBeGreaterThan(0)
      for (const source of sources) {
        expect(existsSync(path.join(root, source)), source).toBe(true)
        const top = source.replace(/^\.\//, '').split('/')[0]
        expect(ignored, `${source} is excluded by .dockerignore`).not.toContain(top)
      }
    }
  })

  it('keeps keys, local state, the checkout history and node_modules out of the build context', () => {
    for (const entry of ['.jaring', '.git', 'node_modules', '.env']) expect(ignored).toContain(entry)
  })

  it('installs production dependencies only, from the lock file, and runs as an unprivileged user', () => {
    const runs = instructions.filter((instruction) => instruction.keyword === 'RUN').map((run) => run.args)
    expect(runs.some((run) => run.includes('npm ci --omit=dev'))).toBe(true)
    const user = one('USER').args
    expect(['root', '0', '']).not.toContain(user)
  })

  it(
    'starts `jaring serve --config <file>` through the real CLI entry',
    async () => {
      const entrypoint = execForm(one('ENTRYPOINT').args)
      const cmd = execForm(one('CMD').args)
      expect(entrypoint[0]).toBe('node')
      expect(existsSync(inCheckout(entrypoint[1] ?? ''))).toBe(true)
      expect(cmd.slice(0, 2)).toEqual(['serve', '--config'])
      // The command and its option exist: `jaring serve --help` names --config.
      const help = await runJaring([...cmd.slice(0, 1), '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toContain('--config <file>')
    },
    cliTimeoutMs,
  )

  it("probes the node's readiness with a real script, on the node.yaml the node is started with", () => {
    const healthcheck = one('HEALTHCHECK').args
    const [, command = ''] = /CMD (\[.*\])$/.exec(healthcheck) ?? []
    const probe = execForm(command)
    const cmd = execForm(one('CMD').args)
    expect(probe[0]).toBe('node')
    expect(existsSync(inCheckout(probe[1] ?? ''))).toBe(true)
    expect(probe[2]).toBe(cmd[cmd.indexOf('--config') + 1])
  })

  it('copies code whose every package import is a production dependency (nothing from devDependencies)', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    const copied = instructions
      .filter((instruction) => instruction.keyword === 'COPY')
      .flatMap((copy) => copy.args.split(/\s+/).slice(0, -1))
      .filter((source) => !source.endsWith('.json'))
    // Development tools kept beside the database code; the image copies them but never runs them.
    const devTools = new Set(['db/check-migrations.ts', 'db/drizzle.config.ts'])
    const builtins = new Set(builtinModules)
    const offenders: string[] = []
    const seen = new Set<string>()
    for (const folder of copied) {
      const files = (await readdir(path.join(root, folder), { recursive: true }))
        .map((file) => path.join(folder, file))
        .filter((file) => file.endsWith('.ts') && !devTools.has(file))
      for (const file of files) {
        const text = await readFile(path.join(root, file), 'utf8')
        for (const match of text.matchAll(importSpecifiers)) {
          const specifier = match[1] ?? match[2] ?? match[3] ?? ''
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue
          const name = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? '')
          seen.add(name)
          if (!Object.hasOwn(pkg.dependencies, name)) offenders.push(`${file}: ${specifier}`)
        }
      }
    }
    expect(offenders).toEqual([])
    for (const name of ['fastify', 'mercurius', 'pg', '@electric-sql/pglite', 'drizzle-orm'])
      expect(seen).toContain(name)
  })
})
