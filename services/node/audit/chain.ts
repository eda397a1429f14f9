/**
 * The audit chain's content and hashes (docs/audit.md). Every row's hash covers the previous row's
 * hash and the row's own content in one canonical form, so the same row always hashes the same on
 * every driver, and changing, removing, adding or reordering a row breaks the chain at that row.
 */
import { createHash } from 'node:crypto'
import type { AuditDirection, AuditOperationKind, AuditOutcome } from '../../../schema/vocabulary.ts'

/** What a request contributes to its audit row; the chain adds seq, time and hashes. */
export interface AuditEntry {
  requestId: string
  node: string
  direction: AuditDirection
  principalKind: string | null
  principalAgency: string | null
  principalSubject: string | null
  principalRoles: string[]
  tokenId: string | null
  clientAddress: string | null
  purpose: string | null
  caseReference: string | null
  operationKind: AuditOperationKind
  operationName: string | null
  documentDigest: string | null
  variablesDigest: string | null
  policyVersion: number | null
  policyHash: string | null
  outcome: AuditOutcome
  reasonCode: string | null
  httpStatus: number
  recordIds: string[]
  fieldsWithheld: WithheldEntry[]
  peers: PeerEntry[]
  responseDigest: string | null
  responseBytes: number | null
  receipt: string | null
}

export interface WithheldEntry {
  path: string
  rule: string
}

export interface PeerEntry {
  agency: string
  status: string
  latencyMs: number | null
  code: string | null
}

/** A row as stored: the entry, its place in the chain, the database's time, and the two hashes. */
export interface AuditRow extends AuditEntry {
  seq: number
  /** The database clock, as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, UTC). */
  recordedAt: string
  prevHash: string
  rowHash: string
}

/** Where the chain stands: the last row's seq and hash (seq 0 and `emptyChainHash` when empty). */
export interface ChainHead {
  seq: number
  rowHash: string
}

/** Column widths of the audit table (db/schema/audit.ts): values are clipped to them before hashing. */
export const auditTextLimits = {
  requestId: 128,
  node: 16,
  principalKind: 16,
  principalAgency: 16,
  principalSubject: 256,
  tokenId: 256,
  clientAddress: 64,
  purpose: 200,
  caseReference: 100,
  operationName: 300,
  reasonCode: 64,
} as const satisfies Partial<Record<keyof AuditEntry, number>>

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** JSON with object keys sorted at every level: jsonb reorders keys, so hashes must not depend on order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .filter((key) => object[key] !== undefined)
        .map((key) => [key, sortKeys(object[key])]),
    )
  }
  return value
}

/** Bumped if the canonical form ever changes, so old rows still verify under their own rules. */
const contentVersion = 'jaring-audit-1'

/** The row's content in a fixed field order: an array, so no key order can differ between writers. */
function canonicalContent(row: Omit<AuditRow, 'rowHash'>): string {
  return canonicalJson([
    contentVersion,
    row.seq,
    row.recordedAt,
    row.requestId,
    row.node,
    row.direction,
    row.principalKind,
    row.principalAgency,
    row.principalSubject,
    row.principalRoles,
    row.tokenId,
    row.clientAddress,
    row.purpose,
    row.caseReference,
    row.operationKind,
    row.operationName,
    row.documentDigest,
    row.variablesDigest,
    row.policyVersion,
    row.policyHash,
    row.outcome,
    row.reasonCode,
    row.httpStatus,
    row.recordIds,
    row.fieldsWithheld,
    row.peers,
    row.responseDigest,
    row.responseBytes,
    row.receipt,
  ])
}

/** SHA-256 of the previous row's hash and this row's canonical content. */
export function rowHashOf(row: Omit<AuditRow, 'rowHash'>): string {
  return sha256Hex(`${row.prevHash}\n${canonicalContent(row)}`)
}

/** Clips every text to its column, so what is hashed is exactly what is stored. */
export function clipEntry(entry: AuditEntry): AuditEntry {
  const clipped: AuditEntry = { ...entry }
  for (const [field, limit] of Object.entries(auditTextLimits) as [keyof typeof auditTextLimits, number][]) {
    const value = clipped[field]
    if (typeof value === 'string' && value.length > limit)
      (clipped as unknown as Record<string, string>)[field] = value.slice(0, limit)
  }
  return clipped
}

/**
 * Links entries onto the chain after `head`, all stamped with one database time: the rows to
 * insert, in order, and the new head.
 */
export function sealEntries(
  head: ChainHead,
  recordedAt: string,
  entries: readonly AuditEntry[],
): { rows: AuditRow[]; head: ChainHead } {
  let { seq, rowHash: prevHash } = head
  const rows = entries.map((entry) => {
    seq += 1
    const unsealed = { ...clipEntry(entry), seq, recordedAt, prevHash }
    const row = { ...unsealed, rowHash: rowHashOf(unsealed) }
    prevHash = row.rowHash
    return row
  })
  return { rows, head: { seq, rowHash: prevHash } }
}
