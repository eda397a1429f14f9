/**
 * Tamper evidence: rows changed behind the node's back, as someone with superuser access to the
 * database would (the append-only triggers refuse everyone else), and the verifier naming the first
 * bad row each time: modified, deleted, inserted, swapped, and a chain rewritten consistently up to
 * a signed checkpoint.
 */
import { type SQL, sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readAuditRowsAfter } from '../../../db/audit-log.ts'
import { buildApp } from '../../../services/node/app.ts'
import { rowHashOf } from '../../../services/node/audit/chain.ts'
import { buildTestApp, type TestApp } from '../../support/app.ts'
import { testDatabaseLabel } from '../../support/database.ts'
import { queryRows } from '../../support/rows.ts'

describe(`audit chain verification on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let liaison: string

  beforeAll(async () => {
    node = await buildTestApp()
    liaison = await node.token('liaison')
  })

  afterAll(async () => {
    await node?.close()
  })

  /** A fresh chain of `count` rows, one per request. */
  async function freshChain(count: number) {
    await node.database.reset()
    for (let index = 0; index < count; index++) {
      const response = await node.app.inject({
        method: 'GET',
        url: `/api/v1/persons?first=${index + 1}`,
        headers: { authorization: `Bearer ${liaison}` },
      })
      expect(response.statusCode).toBe(200)
    }
    expect(await node.app.audit.verify()).toMatchObject({ ok: true, rows: count, headSeq: count })
  }

  /** Runs SQL as a superuser who switches the append-only triggers off (replica mode). */
  async function tamper(...statements: SQL[]) {
    await node.database.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`)
      for (const statement of statements) await tx.execute(statement)
    })
  }

  beforeEach(async () => {
    await freshChain(8)
  })

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows to anyone who does not switch the triggers off', async () => {
    expect(await node.app.audit.checkpoint()).toBe(8)
    for (const statement of [
      sql`UPDATE audit_log SET http_status = 200 WHERE seq = 1`,
      sql`DELETE FROM audit_log WHERE seq = 1`,
      sql`TRUNCATE audit_log`,
      sql`DELETE FROM audit_checkpoints`,
      sql`UPDATE audit_checkpoints SET seq = 1`,
      sql`TRUNCATE audit_checkpoints`,
    ]) {
      await expect(node.database.db.execute(statement)).rejects.toThrow()
    }
    expect((await node.app.audit.verify()).ok).toBe(true)
  })

  it('names a modified row', async () => {
    await tamper(sql`UPDATE audit_log SET principal_subject = 'someone-else' WHERE seq = 4`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 4, kind: 'modified' })
  })

  it('names a deleted row', async () => {
    await tamper(sql`DELETE FROM audit_log WHERE seq = 3`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 3, kind: 'deleted' })
  })

  it('names rows deleted from the end, by the chain head', async () => {
    await tamper(sql`DELETE FROM audit_log WHERE seq > 6`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 7, kind: 'deleted' })
  })

  it('names a row inserted in the middle, even one whose hash and link were forged correctly', async () => {
    const [third] = await readAuditRowsAfter(node.database.db, 2, 1)
    if (!third) throw new Error('no row 3')
    const forgedContent = { ...third, seq: 3, requestId: 'forged', prevHash: third.prevHash }
    const forged = { ...forgedContent, rowHash: rowHashOf(forgedContent as never) }
    await tamper(
      // Make room at seq 3: move every later row up by one (through a free range, seq is the key).
      sql`UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3`,
      sql`UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000`,
      sql`INSERT INTO audit_log (seq, request_id, recorded_at, node, direction, principal_kind, principal_agency,
            principal_subject, principal_roles, token_id, client_address, purpose, case_reference, operation_kind,
            operation_name, document_digest, variables_digest, policy_version, policy_hash, outcome, reason_code,
            http_status, record_ids, fields_withheld, peers, response_digest, response_bytes, receipt, prev_hash, row_hash)
          SELECT 3, ${forged.requestId}, ${forged.recordedAt}::timestamptz, node, direction, principal_kind,
            principal_agency, principal_subject, principal_roles, token_id, client_address, purpose, case_reference,
            operation_kind, operation_name, document_digest, variables_digest, policy_version, policy_hash, outcome,
            reason_code, http_status, record_ids, fields_withheld, peers, response_digest, response_bytes, receipt,
            ${forged.prevHash}, ${forged.rowHash}
          FROM audit_log WHERE seq = 4`,
      sql`UPDATE audit_chain_head SET seq = seq + 1`,
    )
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 3, kind: 'inserted' })
  })

  it('names a row appended behind the node’s back, hash and link forged correctly', async () => {
    const [eighth] = await readAuditRowsAfter(node.database.db, 7, 1)
    if (!eighth) throw new Error('no row 8')
    const forgedContent = { ...eighth, seq: 9, requestId: 'appended', prevHash: eighth.rowHash }
    const rowHash = rowHashOf(forgedContent as never)
    await tamper(sql`INSERT INTO audit_log (seq, request_id, recorded_at, node, direction, operation_kind, outcome,
        http_status, principal_roles, record_ids, fields_withheld, peers, principal_kind, principal_agency,
        principal_subject, token_id, client_address, purpose, case_reference, operation_name, document_digest,
        variables_digest, policy_version, policy_hash, reason_code, response_digest, response_bytes, receipt,
        prev_hash, row_hash)
      SELECT 9, 'appended', recorded_at, node, direction, operation_kind, outcome, http_status, principal_roles,
        record_ids, fields_withheld, peers, principal_kind, principal_agency, principal_subject, token_id,
        client_address, purpose, case_reference, operation_name, document_digest, variables_digest, policy_version,
        policy_hash, reason_code, response_digest, response_bytes, receipt, row_hash, ${rowHash}
      FROM audit_log WHERE seq = 8`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 9, kind: 'inserted' })
  })

  it('names two swapped rows', async () => {
    await tamper(
      sql`UPDATE audit_log SET seq = seq + 1000 WHERE seq IN (5, 6)`,
      sql`UPDATE audit_log SET seq = CASE seq WHEN 1005 THEN 6 ELSE 5 END WHERE seq > 1000`,
    )
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 5, kind: 'reordered' })
  })

  it('catches a chain rewritten consistently up to a signed checkpoint, and a forged checkpoint', async () => {
    expect(await node.app.audit.checkpoint()).toBe(8)
    expect(await node.app.audit.verify()).toMatchObject({ ok: true, checkpoints: 1 })
    // Rewrite row 2 and re-hash every row after it, as someone who knows the algorithm would.
    await tamper(sql`UPDATE audit_log SET principal_subject = 'rewritten' WHERE seq = 2`)
    let previous = (await readAuditRowsAfter(node.database.db, 0, 1))[0]?.rowHash as string
    for (const row of await readAuditRowsAfter(node.database.db, 1, 100)) {
      const relinked = { ...row, prevHash: previous }
      const rowHash = rowHashOf(relinked as never)
      await tamper(
        sql`UPDATE audit_log SET prev_hash = ${previous}, row_hash = ${rowHash} WHERE seq = ${row.seq}`,
      )
      previous = rowHash
    }
    await tamper(sql`UPDATE audit_chain_head SET row_hash = ${previous}`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 1, kind: 'rewritten' })

    await tamper(sql`UPDATE audit_checkpoints SET row_hash = ${previous} WHERE seq = 8`)
    expect((await node.app.audit.verify()).fault).toMatchObject({ seq: 8, kind: 'checkpoint' })
  })

  it('keeps one chain while two app instances on one database audit many requests at once', async () => {
    await node.database.reset()
    const second = await buildApp(node.config, { database: node.database })
    await second.ready()
    const system = await node.token('system')
    try {
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          (index % 2 === 0 ? node.app : second).inject({
            method: index % 3 === 0 ? 'POST' : 'GET',
            url: '/api/v1/persons',
            headers: { authorization: `Bearer ${system}`, 'content-type': 'application/json' },
            ...(index % 3 === 0
              ? {
                  payload: JSON.stringify({
                    externalRef: `X-${index}`,
                    names: [{ fullName: `Writer ${index}` }],
                  }),
                }
              : {}),
          }),
        ),
      )
      expect(responses.map((response) => response.statusCode).sort()).toEqual([
        ...Array(40).fill(200),
        ...Array(20).fill(201),
      ])
    } finally {
      await second.close()
    }
    const [count] = await queryRows<{ n: number }>(
      node.database,
      sql`SELECT count(*)::int AS n FROM audit_log`,
    )
    expect(count?.n).toBe(60)
    const [persons] = await queryRows<{ n: number }>(
      node.database,
      sql`SELECT count(*)::int AS n FROM persons`,
    )
    expect(persons?.n).toBe(20)
    expect(await node.app.audit.verify({ pageSize: 7 })).toMatchObject({ ok: true, rows: 60 })
  })
})
