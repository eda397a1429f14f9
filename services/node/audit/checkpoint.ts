/**
 * Signs the chain head (a checkpoint, docs/audit.md) when the chain has moved since the last one.
 * Replicas may race to sign the same head; the first one stored wins and the others change nothing.
 */
import { insertCheckpoint, readChainHead, readLatestCheckpoint } from '../../../db/audit-log.ts'
import type { Database } from '../../../db/open.ts'
import type { PrivateSigningKey } from '../auth/keys.ts'
import { signCheckpoint } from './signed.ts'

/** Returns the seq signed, or undefined when the head is empty or already signed. */
export async function checkpointChainHead(
  db: Database,
  key: PrivateSigningKey,
  node: string,
): Promise<number | undefined> {
  const head = await readChainHead(db)
  const latest = await readLatestCheckpoint(db)
  if (head.seq === 0 || (latest && latest.seq >= head.seq)) return undefined
  const signature = await signCheckpoint(key, { node, ...head })
  await insertCheckpoint(db, { ...head, signature, keyId: key.kid })
  return head.seq
}
