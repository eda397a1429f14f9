/**
 * The SQL of the replay cache (db/schema/federation.ts): remember an accepted peer assertion's jti,
 * and forget the ones that can no longer be accepted anyway.
 */
import { lt, sql } from 'drizzle-orm'
import type { Database } from './open.ts'
import { peerAssertionsSeen } from './schema/federation.ts'

/**
 * Records the assertion; false when the same issuer's jti is already held (a replay). One INSERT
 * decides, so two replicas racing on the same assertion cannot both accept it.
 */
export async function rememberPeerAssertion(
  db: Database,
  entry: { issuer: string; jti: string; expiresAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insert(peerAssertionsSeen)
    .values(entry)
    .onConflictDoNothing()
    .returning({ jti: peerAssertionsSeen.jti })
  return inserted.length === 1
}

/** Deletes the entries whose assertions have expired; returns how many went. */
export async function purgeExpiredPeerAssertions(db: Database, now: Date = new Date()): Promise<number> {
  const deleted = await db
    .delete(peerAssertionsSeen)
    .where(lt(peerAssertionsSeen.expiresAt, now))
    .returning({ jti: peerAssertionsSeen.jti })
  return deleted.length
}

/** How many assertions are held (for metrics and tests). */
export async function countPeerAssertions(db: Database): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(peerAssertionsSeen)
  return row?.n ?? 0
}
