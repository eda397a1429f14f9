/**
 * A transaction held open across several steps of a request (its writes, then its audit row), and
 * committed or rolled back at the end: drizzle's `transaction(callback)` is held open by a
 * callback that waits for the decision.
 */
import type { Database } from './open.ts'

export interface HeldTransaction {
  /** The database bound to the transaction: everything run through it commits or rolls back together. */
  db: Database
  readonly open: boolean
  /** Commits; rejects (and nothing is written) if the commit fails. */
  commit(): Promise<void>
  rollback(): Promise<void>
}

const rollbackRequested = Symbol('rollback requested')

export async function holdTransaction(db: Database): Promise<HeldTransaction> {
  let decide!: (commit: boolean) => void
  const decision = new Promise<boolean>((resolve) => {
    decide = resolve
  })
  let handOut!: (transaction: Database) => void
  const started = new Promise<Database>((resolve) => {
    handOut = resolve
  })
  const finished = db
    .transaction(async (transaction) => {
      handOut(transaction as unknown as Database)
      if (!(await decision)) throw rollbackRequested
    })
    .catch((error: unknown) => {
      if (error !== rollbackRequested) throw error
    })
  const transaction = await Promise.race([
    started,
    finished.then(() => {
      throw new Error('the transaction ended before it began')
    }),
  ])
  let open = true
  return {
    db: transaction,
    get open() {
      return open
    },
    async commit() {
      open = false
      decide(true)
      await finished
    },
    async rollback() {
      open = false
      decide(false)
      await finished.catch(() => {})
    },
  }
}
