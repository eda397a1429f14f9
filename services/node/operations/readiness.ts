import { type DatabaseHandle, ping } from '../../../db/open.ts'

export type Readiness = { ready: true; latencyMs: number } | { ready: false; reason: string }

/**
 * Asks the database a trivial question and waits at most `deadlineMs`: a pool that is exhausted or
 * a server that stopped answering makes the node unready instead of hanging the probe.
 */
export async function checkDatabase(database: DatabaseHandle, deadlineMs: number): Promise<Readiness> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs)
  })
  const answer = ping(database)
  // A ping that loses the race may still fail later; that failure is already reported.
  answer.catch(() => {})
  try {
    await Promise.race([answer, deadline])
    return { ready: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 }
  } catch (error) {
    return { ready: false, reason: error instanceof Error ? error.message : String(error) }
  } finally {
    clearTimeout(timer)
  }
}
