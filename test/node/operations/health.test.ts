import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase, testDatabaseDriver, testDatabaseLabel } from '../../support/database.ts'
import { buildOperationsNode, type OperationsNode } from './fixture.ts'

describe(`health probes on ${testDatabaseLabel()}`, () => {
  let node: OperationsNode
  beforeAll(async () => {
    node = await buildOperationsNode()
  })
  afterAll(async () => {
    await node?.close()
  })

  it('answers /health/live without a token', async () => {
    const response = await node.app.inject('/health/live')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'live' })
  })

  it('answers /health/ready when the database answers', async () => {
    const response = await node.app.inject('/health/ready')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ready', database: { driver: testDatabaseDriver() } })
  })
})

describe(`readiness when the database fails on ${testDatabaseLabel()}`, () => {
  it('reports DATABASE_UNAVAILABLE once the database is closed, while staying live', async () => {
    const database = await openTestDatabase()
    const node = await buildOperationsNode({ database })
    try {
      expect((await node.app.inject('/health/ready')).statusCode).toBe(200)
      await database.close()
      const response = await node.app.inject('/health/ready')
      expect(response.statusCode).toBe(503)
      expect(response.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' })
      expect(response.body).not.toMatch(/closed|pool|pglite/i)
      expect((await node.app.inject('/health/live')).statusCode).toBe(200)
      expect(node.log.lines().some((line) => line.msg === 'database not ready')).toBe(true)
    } finally {
      await node.close()
    }
  })

  it('reports DATABASE_UNAVAILABLE when the database does not answer within the deadline', async () => {
    const node = await buildOperationsNode({ config: { operations: { readyTimeoutMs: 100 } } })
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      // Transactions that wait on the test hold every connection (PGlite has one, the pool of a
      // test database four), so the readiness ping queues behind them past its deadline.
      const busy = Promise.all(
        Array.from({ length: 8 }, () =>
          node.database.db.transaction(async (tx) => {
            await tx.execute(sql`SELECT 1`)
            await gate
          }),
        ),
      )
      const response = await node.app.inject('/health/ready')
      expect(response.statusCode).toBe(503)
      expect(response.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' })
      release()
      await busy
      expect((await node.app.inject('/health/ready')).statusCode).toBe(200)
    } finally {
      release()
      await node.close()
    }
  })
})
