/**
 * Appends audit rows. Reads are group-committed: requests that finish while an append is under way
 * wait for the next one, which writes them all in one transaction, so the chain head's lock is
 * taken once per batch instead of once per request, and every caller still learns only after its
 * row is committed. A write's row is appended inside the write's own transaction instead.
 */
import { appendAuditRows } from '../../../db/audit-log.ts'
import type { Database } from '../../../db/open.ts'
import { JaringError } from '../errors.ts'
import { type AuditEntry, type AuditRow, sealEntries } from './chain.ts'

export interface AuditWriterOptions {
  appendTimeoutMs: number
  maxBatchRows: number
}

export interface AuditWriter {
  /** Appends one row; resolves once it is committed, rejects with AUDIT_UNAVAILABLE otherwise. */
  append(entry: AuditEntry): Promise<AuditRow>
  /** Appends inside the caller's transaction: the row commits, or not, with the caller's writes. */
  appendWithin(transaction: Database, entry: AuditEntry): Promise<AuditRow>
  /** Resolves when every queued row has been written or refused. */
  drain(): Promise<void>
}

interface Waiting {
  entry: AuditEntry
  resolve: (row: AuditRow) => void
  reject: (error: unknown) => void
}

function unavailable(cause: unknown): JaringError {
  return cause instanceof JaringError && cause.code === 'AUDIT_UNAVAILABLE'
    ? cause
    : new JaringError('AUDIT_UNAVAILABLE', { cause })
}

/** Rejects at the deadline; the work itself goes on (the database aborts it at its own lock timeout). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new JaringError('AUDIT_UNAVAILABLE', { detail: `The audit append took over ${ms} ms.` })),
      ms,
    )
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}

export function createAuditWriter(db: Database, options: AuditWriterOptions): AuditWriter {
  const queue: Waiting[] = []
  let running: Promise<void> | undefined
  const append = (target: Database, entries: readonly AuditEntry[]) =>
    appendAuditRows(target, (head, recordedAt) => sealEntries(head, recordedAt, entries), {
      lockTimeoutMs: options.appendTimeoutMs,
    })

  async function run(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatchRows)
      const work = append(
        db,
        batch.map((waiting) => waiting.entry),
      )
      try {
        const rows = await withDeadline(work, options.appendTimeoutMs)
        for (const [index, waiting] of batch.entries()) waiting.resolve(rows[index] as AuditRow)
      } catch (error) {
        for (const waiting of batch) waiting.reject(unavailable(error))
        // The next batch starts only once this one has ended, committed or not, so rows never race.
        await work.catch(() => {})
      }
    }
    running = undefined
  }

  return {
    append(entry) {
      return new Promise<AuditRow>((resolve, reject) => {
        queue.push({ entry, resolve, reject })
        // Started a microtask later, so that appends made in the same tick share one batch.
        running ??= Promise.resolve().then(run)
      })
    },
    async appendWithin(transaction, entry) {
      try {
        const [row] = await withDeadline(append(transaction, [entry]), options.appendTimeoutMs)
        return row as AuditRow
      } catch (error) {
        throw unavailable(error)
      }
    },
    async drain() {
      await running
    },
  }
}
