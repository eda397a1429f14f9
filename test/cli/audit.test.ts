/**
 * The audit trail of a real node process: killed with SIGKILL in the middle of a load of writes,
 * every request that got a 2xx still has its record and its audit row, nothing is half-written, and
 * `jaring audit verify` walks the chain (exit 0); after a row is changed behind the node's back it
 * names that row (exit 65).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../db/open.ts'
import { createTestDatabaseUrl, type TestDatabaseLocation, testDatabaseLabel } from '../support/database.ts'
import { queryRows } from '../support/rows.ts'
import { cliTimeoutMs, runJaring, startJaring } from './run.ts'

describe(`a node killed during writes, and jaring audit verify, on ${testDatabaseLabel()}`, {
  timeout: cliTimeoutMs * 2,
}, () => {
  let workspace: string
  let database: TestDatabaseLocation
  const config = 'th/node.yaml'
  const env = () => ({ JARING_DATABASE_URL: database.url, JARING_PORT: '0' })

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'jaring-audit-cli-'))
    database = await createTestDatabaseUrl()
    const init = await runJaring(['init', 'th', '--agency', 'TH-RTP', '--name', 'Royal Thai Police'], {
      cwd: workspace,
    })
    expect(init.code, init.stderr).toBe(0)
  })

  afterAll(async () => {
    await database?.drop()
    await rm(workspace, { recursive: true, force: true })
  })

  it('keeps every acknowledged write with its audit row through SIGKILL, and the chain verifies', async () => {
    const minted = await runJaring(['token', '--config', config, '--role', 'system'], {
      cwd: workspace,
      env: env(),
    })
    expect(minted.code, minted.stderr).toBe(0)
    const token = minted.stdout.trim()
    const node = startJaring(['serve', '--config', config], { cwd: workspace, env: env() })
    const [, url] = await node.waitForStderr(/is serving at (http:\/\/127\.0\.0\.1:\d+)\n/)

    const acknowledged: { requestId: string; externalRef: string; id: string }[] = []
    let next = 0
    let stopped = false
    const write = async () => {
      while (!stopped) {
        const index = next++
        const requestId = `crash-write-${String(index).padStart(5, '0')}`
        const externalRef = `CRASH-${index}`
        try {
          const response = await fetch(`${url}/api/v1/persons`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'x-request-id': requestId,
            },
            body: JSON.stringify({ externalRef, names: [{ fullName: `Crash Person ${index}` }] }),
          })
          const body = (await response.json()) as { id?: string }
          if (response.status === 201 && body.id) acknowledged.push({ requestId, externalRef, id: body.id })
        } catch {
          // The node is gone: this request was never acknowledged.
          return
        }
      }
    }
    const writers = Array.from({ length: 6 }, write)
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20))
    node.child.kill('SIGKILL')
    const ended = await node.finished
    stopped = true
    await Promise.all(writers)
    expect(ended.signal).toBe('SIGKILL')
    expect(next).toBeGreaterThan(acknowledged.length)

    const handle = await openDatabase(database.url)
    try {
      const persons = await queryRows<{ id: string; external_ref: string }>(
        handle,
        sql`SELECT global_id AS id, external_ref FROM persons`,
      )
      const audited = await queryRows<{ request_id: string; record_ids: string[]; http_status: number }>(
        handle,
        sql`SELECT request_id, record_ids, http_status FROM audit_log WHERE operation_kind = 'REST_WRITE'`,
      )
      const stored = new Map(persons.map((person) => [person.external_ref, person.id]))
      const rows = new Map(audited.map((row) => [row.request_id, row]))
      for (const write of acknowledged) {
        expect(stored.get(write.externalRef), write.externalRef).toBe(write.id)
        expect(rows.get(write.requestId)?.record_ids, write.requestId).toEqual([write.id])
      }
      // Nothing half-written: every stored person came with the audit row of its write.
      const writtenIds = new Set(
        audited.filter((row) => row.http_status === 201).flatMap((row) => row.record_ids),
      )
      for (const person of persons) expect(writtenIds.has(person.id), person.external_ref).toBe(true)
    } finally {
      await handle.close()
    }

    const verified = await runJaring(['audit', 'verify', '--config', config], { cwd: workspace, env: env() })
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/^The audit chain of TH-RTP verifies: \d+ rows, \d+ signed checkpoints/)
    expect(verified.stderr).toMatch(/verified \d+ of \d+ rows/)
  })

  it('signs a checkpoint, then names the first row changed behind the node’s back and exits 65', async () => {
    const signed = await runJaring(['audit', 'checkpoint', '--config', config], {
      cwd: workspace,
      env: env(),
    })
    expect(signed.code, signed.stderr).toBe(0)
    expect(signed.stdout).toMatch(/Signed the chain head of TH-RTP at seq \d+/)

    const handle = await openDatabase(database.url)
    try {
      await handle.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL session_replication_role = replica`)
        await tx.execute(sql`UPDATE audit_log SET principal_subject = 'someone-else' WHERE seq = 2`)
      })
    } finally {
      await handle.close()
    }
    const broken = await runJaring(['audit', 'verify', '--config', config], { cwd: workspace, env: env() })
    expect(broken.code).toBe(65)
    expect(broken.stderr).toContain('the audit chain of TH-RTP is broken at seq 2 (modified)')
    const json = await runJaring(['audit', 'verify', '--config', config, '--json'], {
      cwd: workspace,
      env: env(),
    })
    expect(json.code).toBe(65)
    expect(JSON.parse(json.stderr.replace(/^jaring: /, ''))).toMatchObject({
      ok: false,
      fault: { seq: 2, kind: 'modified' },
    })
  })
})
