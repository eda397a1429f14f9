import { sql } from 'drizzle-orm'
import {
  bigint,
  char,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core'
import { auditDirectionEnum, auditOperationKindEnum, auditOutcomeEnum } from './enums.ts'

/** The hash the first audit row links to: the head of an empty chain (written by the migrations). */
export const emptyChainHash = '0'.repeat(64)

/** A SHA-256 digest as 64 lower-case hex characters. */
const digest = (name: string) => char(name, { length: 64 })

/**
 * The audit log: one row per request that reads or writes records (docs/audit.md). Append-only: a
 * trigger from the migrations refuses UPDATE, DELETE and TRUNCATE. `seq` is gap-free and orders the
 * hash chain: `row_hash` = SHA-256 of `prev_hash` and the row's canonical content (seq and time
 * included), so changing, removing, adding or reordering a row breaks the chain at that row.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    requestId: varchar('request_id', { length: 128 }).notNull(),
    /** The database clock at append time, so replicas with skewed clocks still agree. */
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date', precision: 6 }).notNull(),
    /** The agency whose node wrote the row. */
    node: varchar('node', { length: 16 }).notNull(),
    direction: auditDirectionEnum('direction').notNull(),
    /** Null when the request carried no verifiable token. */
    principalKind: varchar('principal_kind', { length: 16 }),
    principalAgency: varchar('principal_agency', { length: 16 }),
    principalSubject: varchar('principal_subject', { length: 256 }),
    principalRoles: text('principal_roles').array().notNull().default(sql`'{}'::text[]`),
    /** The token's jti: ties the row to one token of the identity provider's records. */
    tokenId: varchar('token_id', { length: 256 }),
    clientAddress: varchar('client_address', { length: 64 }),
    purpose: varchar('purpose', { length: 200 }),
    caseReference: varchar('case_reference', { length: 100 }),
    operationKind: auditOperationKindEnum('operation_kind').notNull(),
    /** The GraphQL operation (name, else its root fields) or the REST route (`GET /api/v1/persons/:id`). */
    operationName: varchar('operation_name', { length: 300 }),
    documentDigest: digest('document_digest'),
    variablesDigest: digest('variables_digest'),
    policyVersion: integer('policy_version'),
    policyHash: digest('policy_hash'),
    outcome: auditOutcomeEnum('outcome').notNull(),
    /** The error code of a denied or failed request (the catalogue's, as the client saw it). */
    reasonCode: varchar('reason_code', { length: 64 }),
    httpStatus: smallint('http_status').notNull(),
    /** Global ids of the records the response disclosed (reads) or the request wrote. */
    recordIds: text('record_ids').array().notNull().default(sql`'{}'::text[]`),
    /** `[{ path, rule }]`: fields the policy withheld from the response. */
    fieldsWithheld: jsonb('fields_withheld').notNull().default(sql`'[]'::jsonb`),
    /** `[{ agency, status, latencyMs, code? }]`: the peers this request asked. */
    peers: jsonb('peers').notNull().default(sql`'[]'::jsonb`),
    responseDigest: digest('response_digest'),
    responseBytes: integer('response_bytes'),
    /** Outbound rows: the answering peer's signed disclosure receipt (a compact JWS, docs/audit.md). */
    receipt: text('receipt'),
    prevHash: digest('prev_hash').notNull(),
    rowHash: digest('row_hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_log_row_hash_key').on(t.rowHash),
    index('audit_log_request_id_idx').on(t.requestId),
    index('audit_log_recorded_at_idx').on(t.recordedAt),
    index('audit_log_principal_idx').on(t.principalAgency, t.principalSubject),
    index('audit_log_direction_idx').on(t.direction, t.seq),
    index('audit_log_record_ids_idx').using('gin', t.recordIds),
    check('audit_log_seq_positive', sql`${t.seq} > 0`),
  ],
)

/**
 * The head of the chain in one row (id 1): appends lock it FOR UPDATE, which serialises them across
 * every replica writing to the same database, and read the previous hash and seq from it.
 */
export const auditChainHead = pgTable(
  'audit_chain_head',
  {
    id: smallint('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    rowHash: digest('row_hash').notNull(),
  },
  (t) => [check('audit_chain_head_single_row', sql`${t.id} = 1`)],
)

/**
 * Signed checkpoints: the node's audit key signs (seq, row_hash) of the chain head from time to time,
 * so a chain rewritten by someone with database access but without the key no longer matches.
 */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  rowHash: digest('row_hash').notNull(),
  /** Compact JWS (`typ: audit-checkpoint+jwt`) over the node, seq, row hash and time. */
  signature: text('signature').notNull(),
  keyId: varchar('key_id', { length: 64 }).notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
})
