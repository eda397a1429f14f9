/** The SQL of the trust list's rollback floor (db/schema/federation.ts). */
import { sql } from 'drizzle-orm'
import type { Database } from './open.ts'
import { trustListFloor } from './schema/federation.ts'

/** The highest version taken so far, undefined before the first list. */
export async function readTrustListFloor(db: Database): Promise<number | undefined> {
  const [row] = await db.select({ version: trustListFloor.version }).from(trustListFloor)
  return row?.version
}

/** Raises the floor to `version`; never lowers it (another replica may have taken a later list). */
export async function raiseTrustListFloor(db: Database, version: number): Promise<void> {
  await db
    .insert(trustListFloor)
    .values({ id: 1, version })
    .onConflictDoUpdate({
      target: trustListFloor.id,
      set: { version: sql`GREATEST(${trustListFloor.version}, excluded.version)`, raisedAt: sql`now()` },
    })
}
