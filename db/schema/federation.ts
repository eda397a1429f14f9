import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, primaryKey, smallint, timestamp, varchar } from 'drizzle-orm/pg-core'

/**
 * Peer assertions this node has accepted, kept until they expire (docs/protocol.md, replay). In the
 * database rather than in memory so that a restart does not reopen the window and replicas on one
 * PostgreSQL refuse each other's replays: the primary key makes the second insert of a jti lose.
 */
export const peerAssertionsSeen = pgTable(
  'peer_assertions_seen',
  {
    /** The asking agency (`iss`): jti values are unique per issuer only. */
    issuer: varchar('issuer', { length: 16 }).notNull(),
    jti: varchar('jti', { length: 256 }).notNull(),
    /** `exp` plus the clock tolerance: until then the assertion could still be accepted. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.issuer, table.jti] }),
    index('peer_assertions_seen_expires_at_idx').on(table.expiresAt),
  ],
)

/**
 * The highest trust list version this node has taken (docs/protocol.md, rollback): a list below it
 * is refused after a restart too, and replicas on one PostgreSQL share the floor. One row.
 */
export const trustListFloor = pgTable(
  'trust_list_floor',
  {
    id: smallint('id').primaryKey().default(1),
    version: integer('version').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [check('trust_list_floor_single_row', sql`${table.id} = 1`)],
)
