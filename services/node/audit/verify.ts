/**
 * Walks the audit chain from its first row to its head, page by page (constant memory, millions of
 * rows), and names the first row that is not as it was written: modified, deleted, inserted or
 * reordered. Signed checkpoints catch what the chain alone cannot: a chain rewritten consistently
 * up to a signed point. Rows after the last checkpoint are protected by the hashes alone, so a
 * forged row appended at the very end by someone who knows the algorithm (but not the key) is
 * caught only by the next checkpoint; docs/audit.md says so.
 */
import type { JWK } from 'jose'
import {
  readAuditRowsAfter,
  readChainHead,
  readCheckpointsBetween,
  type StoredAuditRow,
  type StoredCheckpoint,
  type StoredHead,
} from '../../../db/audit-log.ts'
import type { Database } from '../../../db/open.ts'
import { emptyChainHash } from '../../../db/schema/audit.ts'
import { type AuditRow, rowHashOf } from './chain.ts'
import { SignedStatementError, verifyCheckpoint } from './signed.ts'

export type ChainFaultKind = 'modified' | 'deleted' | 'inserted' | 'reordered' | 'rewritten' | 'checkpoint'

export interface ChainFault {
  /** The first row at fault. */
  seq: number
  kind: ChainFaultKind
  detail: string
}

export interface ChainVerification {
  ok: boolean
  /** Rows that verified before the first fault (all of them when ok). */
  rows: number
  checkpoints: number
  headSeq: number
  fault?: ChainFault
}

export interface VerifyOptions {
  /** The agency whose chain this is: checkpoints must name it. */
  node: string
  /** Public keys the checkpoints may be signed with (the node's federation key, current and past). */
  keys: readonly JWK[]
  pageSize?: number
  onProgress?: (rowsVerified: number) => void
}

const asRow = (stored: StoredAuditRow) => stored as unknown as AuditRow

/** The chain state while walking: the next seq expected and the last two accepted hashes. */
class Walk {
  expectedSeq = 1
  lastHash = emptyChainHash
  hashBefore: string | undefined
  rows = 0
  checkpoints = 0

  accept(row: AuditRow) {
    this.hashBefore = this.lastHash
    this.lastHash = row.rowHash
    this.expectedSeq = row.seq + 1
    this.rows += 1
  }

  /** Why `row` cannot follow the accepted rows, or undefined when it does; `next` is the row after it. */
  judge(row: AuditRow, next: AuditRow | undefined): ChainFault | undefined {
    if (row.seq > this.expectedSeq) {
      const last = row.seq - 1
      const missing = last === this.expectedSeq ? `seq ${last} is` : `seq ${this.expectedSeq} to ${last} are`
      return { seq: this.expectedSeq, kind: 'deleted', detail: `${missing} missing` }
    }
    const contentOk = rowHashOf(row) === row.rowHash
    const linked = row.prevHash === this.lastHash
    if (contentOk && linked) return undefined
    if (this.hashBefore !== undefined && row.prevHash === this.hashBefore) {
      return {
        seq: row.seq - 1,
        kind: 'inserted',
        detail: `seq ${row.seq - 1} does not belong to the chain: seq ${row.seq} links to the row before it`,
      }
    }
    if (next && next.rowHash === row.prevHash) {
      return {
        seq: row.seq,
        kind: 'reordered',
        detail: `seq ${row.seq} belongs after seq ${next.seq}: the rows are out of order`,
      }
    }
    if (!contentOk) {
      return {
        seq: row.seq,
        kind: 'modified',
        detail: `seq ${row.seq} does not match its hash: its content was changed`,
      }
    }
    return {
      seq: row.seq,
      kind: 'inserted',
      detail: `seq ${row.seq} does not link to seq ${row.seq - 1}: it was not appended by the node`,
    }
  }
}

async function checkCheckpoint(
  checkpoint: StoredCheckpoint,
  acceptedHash: string,
  previousCheckpointSeq: number,
  options: VerifyOptions,
): Promise<ChainFault | undefined> {
  try {
    const claims = await verifyCheckpoint(checkpoint.signature, options.keys)
    if (
      claims.node !== options.node ||
      claims.seq !== checkpoint.seq ||
      claims.rowHash !== checkpoint.rowHash
    ) {
      return {
        seq: checkpoint.seq,
        kind: 'checkpoint',
        detail: `the checkpoint at seq ${checkpoint.seq} differs from what was signed`,
      }
    }
  } catch (error) {
    const reason = error instanceof SignedStatementError ? error.message : 'it cannot be read'
    return {
      seq: checkpoint.seq,
      kind: 'checkpoint',
      detail: `the checkpoint at seq ${checkpoint.seq} is not valid: ${reason}`,
    }
  }
  if (checkpoint.rowHash !== acceptedHash) {
    return {
      seq: previousCheckpointSeq + 1,
      kind: 'rewritten',
      detail: `the chain no longer matches the checkpoint signed at seq ${checkpoint.seq}: rows after seq ${previousCheckpointSeq} were rewritten`,
    }
  }
  return undefined
}

export async function verifyAuditChain(db: Database, options: VerifyOptions): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 5_000
  const walk = new Walk()
  let headSeq = 0
  let previousCheckpointSeq = 0
  const result = (fault?: ChainFault): ChainVerification => ({
    ok: fault === undefined,
    rows: walk.rows,
    checkpoints: walk.checkpoints,
    headSeq,
    ...(fault ? { fault } : {}),
  })

  let pending: AuditRow | undefined
  let afterSeq = 0
  const checkpointsAt = new Map<number, StoredCheckpoint>()
  // Judges `row` now that the row after it (`next`) is known, then checks a checkpoint signed at it.
  const settle = async (row: AuditRow, next: AuditRow | undefined): Promise<ChainFault | undefined> => {
    const fault = walk.judge(row, next)
    if (fault) return fault
    walk.accept(row)
    const checkpoint = checkpointsAt.get(row.seq)
    if (!checkpoint) return undefined
    checkpointsAt.delete(row.seq)
    const checkpointFault = await checkCheckpoint(checkpoint, row.rowHash, previousCheckpointSeq, options)
    if (checkpointFault) return checkpointFault
    walk.checkpoints += 1
    previousCheckpointSeq = row.seq
    return undefined
  }
  /** Pages through every row after `afterSeq`; the last row stays pending until its successor is known. */
  const walkOn = async (): Promise<ChainFault | undefined> => {
    for (;;) {
      const page = (await readAuditRowsAfter(db, afterSeq, pageSize)).map(asRow)
      if (page.length === 0) return undefined
      const last = page.at(-1) as AuditRow
      for (const checkpoint of await readCheckpointsBetween(db, afterSeq, last.seq)) {
        checkpointsAt.set(checkpoint.seq, checkpoint)
      }
      for (const row of page) {
        if (pending) {
          const fault = await settle(pending, row)
          if (fault) return fault
        }
        pending = row
      }
      afterSeq = last.seq
      options.onProgress?.(walk.rows)
    }
  }

  // A live node goes on appending: the head is read after the walk, and rows committed meanwhile
  // (the head and its rows commit together) are walked too before the two are compared.
  let head: StoredHead
  for (;;) {
    const walkedTo = afterSeq
    const fault = await walkOn()
    if (fault) return result(fault)
    head = await readChainHead(db)
    // Done once the walk has reached the head, or when no row came in since the last look.
    if (head.seq <= afterSeq || afterSeq === walkedTo) break
  }
  headSeq = head.seq
  if (pending) {
    const fault = await settle(pending, undefined)
    if (fault) return result(fault)
  }

  const lastSeq = walk.expectedSeq - 1
  const [orphan] = [
    ...checkpointsAt.values(),
    ...(await readCheckpointsBetween(db, lastSeq, Number.MAX_SAFE_INTEGER)),
  ]
  if (orphan) {
    return result({
      seq: lastSeq + 1,
      kind: 'deleted',
      detail: `a checkpoint was signed at seq ${orphan.seq}, but the chain ends at seq ${lastSeq}`,
    })
  }
  if (head.seq > lastSeq) {
    return result({
      seq: lastSeq + 1,
      kind: 'deleted',
      detail: `the chain head is at seq ${head.seq}, but the chain ends at seq ${lastSeq}`,
    })
  }
  if (head.seq < lastSeq) {
    return result({
      seq: head.seq + 1,
      kind: 'inserted',
      detail: `rows after the chain head (seq ${head.seq}) were not appended by the node`,
    })
  }
  if (head.rowHash !== walk.lastHash) {
    return result({
      seq: head.seq,
      kind: 'modified',
      detail: `the chain head's hash differs from seq ${head.seq}`,
    })
  }
  options.onProgress?.(walk.rows)
  return result()
}
