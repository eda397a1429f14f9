/**
 * The SQL of the audit log (db/schema/audit.ts): appending sealed rows under the chain head's lock,
 * reading the chain in order for verification, checkpoints, and the oversight queries. The chain's
 * rules (content, hashes) live in services/node/audit; this module only stores and reads.
 */
import { and, desc, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm'
import { jsonRowsInsert } from './json-rows.ts'
import type { Database } from './open.ts'
import { auditChainHead, auditCheckpoints, auditLog } from './schema/audit.ts'

/** The database clock, UTC, to the microsecond: the form the chain hashes (`recorded_at`). */
const clockText = sql<string>`to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
const recordedAtText = sql<string>`to_char(${auditLog.recordedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

export interface StoredHead {
  seq: number
  rowHash: string
}

type AuditLogInsert = typeof auditLog.$inferInsert
/** A row ready to store: every column, with the time as the chain's text form. */
export type SealedAuditRow = Omit<AuditLogInsert, 'recordedAt'> & { recordedAt: string; seq: number }

/**
 * Appends rows in one transaction (or inside the caller's): locks the chain head FOR UPDATE, which
 * serialises appends across every process writing to this database, hands the head and the
 * database's time to `seal`, inserts what it returns and moves the head. A lock held elsewhere for
 * longer than `lockTimeoutMs` aborts the append.
 *
 * Two statements between BEGIN and COMMIT: the lock timeout is set in the statement that takes the
 * lock (its function scan runs before the row is locked), and the rows go in with the head's move
 * in one statement (a data-modifying WITH), as one JSON parameter rather than drizzle's per-value
 * insert builder. Every request of a node appends a row, so each round trip here is on its path.
 */
export async function appendAuditRows<T extends SealedAuditRow>(
  db: Database,
  seal: (head: StoredHead, recordedAt: string) => { rows: T[]; head: StoredHead },
  options: { lockTimeoutMs: number },
): Promise<T[]> {
  return db.transaction(async (tx) => {
    const timeout = `${Math.max(1, Math.round(options.lockTimeoutMs))}ms`
    const { rows: heads } = (await tx.execute(
      sql`SELECT ${auditChainHead.seq} AS seq, ${auditChainHead.rowHash} AS row_hash, ${clockText} AS now
            FROM set_config('lock_timeout', ${timeout}, true), ${auditChainHead}
           WHERE ${auditChainHead.id} = 1 FOR UPDATE OF ${auditChainHead}`,
    )) as unknown as { rows: { seq: number | string; row_hash: string; now: string }[] }
    const head = heads[0]
    if (!head) throw new Error('audit_chain_head has no row: the audit migrations did not run')
    const sealed = seal({ seq: Number(head.seq), rowHash: head.row_hash }, head.now)
    if (sealed.rows.length === 0) return []
    const moveHead = sql`WITH moved AS (UPDATE ${auditChainHead} SET seq = ${sealed.head.seq}, row_hash = ${sealed.head.rowHash} WHERE id = 1) `
    await tx.execute(
      sql`${moveHead}${jsonRowsInsert(auditLog, sealed.rows as unknown as Record<string, unknown>[])}`,
    )
    return sealed.rows
  })
}

export async function readChainHead(db: Database): Promise<StoredHead> {
  const [head] = await db
    .select({ seq: auditChainHead.seq, rowHash: auditChainHead.rowHash })
    .from(auditChainHead)
    .where(eq(auditChainHead.id, 1))
  if (!head) throw new Error('audit_chain_head has no row: the audit migrations did not run')
  return head
}

const storedColumns = {
  seq: auditLog.seq,
  requestId: auditLog.requestId,
  recordedAt: recordedAtText,
  node: auditLog.node,
  direction: auditLog.direction,
  principalKind: auditLog.principalKind,
  principalAgency: auditLog.principalAgency,
  principalSubject: auditLog.principalSubject,
  principalRoles: auditLog.principalRoles,
  tokenId: auditLog.tokenId,
  clientAddress: auditLog.clientAddress,
  purpose: auditLog.purpose,
  caseReference: auditLog.caseReference,
  operationKind: auditLog.operationKind,
  operationName: auditLog.operationName,
  documentDigest: auditLog.documentDigest,
  variablesDigest: auditLog.variablesDigest,
  policyVersion: auditLog.policyVersion,
  policyHash: auditLog.policyHash,
  outcome: auditLog.outcome,
  reasonCode: auditLog.reasonCode,
  httpStatus: auditLog.httpStatus,
  recordIds: auditLog.recordIds,
  fieldsWithheld: auditLog.fieldsWithheld,
  peers: auditLog.peers,
  responseDigest: auditLog.responseDigest,
  responseBytes: auditLog.responseBytes,
  receipt: auditLog.receipt,
  prevHash: auditLog.prevHash,
  rowHash: auditLog.rowHash,
}

export type StoredAuditRow = Awaited<ReturnType<typeof readAuditRowsAfter>>[number]

/** Up to `limit` rows after `seq`, in chain order: the verifier pages through the log with it. */
export function readAuditRowsAfter(db: Database, seq: number, limit: number) {
  return db
    .select(storedColumns)
    .from(auditLog)
    .where(gt(auditLog.seq, seq))
    .orderBy(auditLog.seq)
    .limit(limit)
}

export async function countAuditRows(db: Database): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(auditLog)
  return row?.count ?? 0
}

export interface StoredCheckpoint {
  seq: number
  rowHash: string
  signature: string
  keyId: string
}

const checkpointColumns = {
  seq: auditCheckpoints.seq,
  rowHash: auditCheckpoints.rowHash,
  signature: auditCheckpoints.signature,
  keyId: auditCheckpoints.keyId,
}

/** Checkpoints with `from < seq <= to`, in order. */
export function readCheckpointsBetween(db: Database, from: number, to: number): Promise<StoredCheckpoint[]> {
  return db
    .select(checkpointColumns)
    .from(auditCheckpoints)
    .where(and(gt(auditCheckpoints.seq, from), lte(auditCheckpoints.seq, to)))
    .orderBy(auditCheckpoints.seq)
}

export async function readLatestCheckpoint(db: Database): Promise<StoredCheckpoint | undefined> {
  const [latest] = await db
    .select(checkpointColumns)
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.seq))
    .limit(1)
  return latest
}

/** Stores a checkpoint; a replica that signed the same head first wins, and that is as good. */
export async function insertCheckpoint(db: Database, checkpoint: StoredCheckpoint): Promise<void> {
  await db.insert(auditCheckpoints).values(checkpoint).onConflictDoNothing()
}

export interface AuditQuery {
  requestId?: string
  subject?: string
  agency?: string
  recordId?: string
  direction?: (typeof auditLog.direction.enumValues)[number]
  outcome?: (typeof auditLog.outcome.enumValues)[number]
  from?: Date
  to?: Date
  /** Newest first: rows with a smaller seq than this. */
  beforeSeq?: number
  limit: number
}

/** The oversight query: newest first, every filter combined with AND, each on an indexed column. */
export function queryAuditRows(db: Database, query: AuditQuery) {
  const conditions: (SQL | undefined)[] = [
    query.requestId === undefined ? undefined : eq(auditLog.requestId, query.requestId),
    query.subject === undefined ? undefined : eq(auditLog.principalSubject, query.subject),
    query.agency === undefined ? undefined : eq(auditLog.principalAgency, query.agency),
    query.recordId === undefined ? undefined : sql`${auditLog.recordIds} @> ARRAY[${query.recordId}]::text[]`,
    query.direction === undefined ? undefined : eq(auditLog.direction, query.direction),
    query.outcome === undefined ? undefined : eq(auditLog.outcome, query.outcome),
    query.from === undefined ? undefined : gte(auditLog.recordedAt, query.from),
    query.to === undefined ? undefined : lt(auditLog.recordedAt, query.to),
    query.beforeSeq === undefined ? undefined : lt(auditLog.seq, query.beforeSeq),
  ]
  return db
    .select(storedColumns)
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.seq))
    .limit(query.limit)
}
