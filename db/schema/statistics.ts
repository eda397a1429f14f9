import {
  char,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import { caseStatusEnum, crimeCategoryEnum, personStatusEnum, tlpEnum } from './enums.ts'

/**
 * Cases counted on the statistics grid, kept current by triggers on `cases` (migration 0005):
 * one row per agency, measure (`OPENED` by opening month, `CLOSED` by closing month), crime
 * category, month, status, TLP and handling code, so every row filter a policy can put on cases
 * selects whole rows and a count is a sum (docs/statistics.md, "Rollups").
 */
export const statsCaseCounts = pgTable(
  'stats_case_counts',
  {
    agency: varchar('agency', { length: 16 }).notNull(),
    measure: text('measure').notNull(),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    status: caseStatusEnum('status').notNull(),
    tlp: tlpEnum('tlp').notNull(),
    handlingCode: varchar('handling_code', { length: 32 }).notNull(),
    cases: integer('cases').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'stats_case_counts_pk',
      columns: [t.agency, t.measure, t.crimeCategory, t.month, t.status, t.tlp, t.handlingCode],
    }),
    index('stats_case_counts_month_idx').on(t.agency, t.measure, t.month),
  ],
)

/**
 * One row per person and statistics cell they count in, kept current by triggers on `persons`,
 * `cases` and `case_persons` (migration 0005): a role measure (`SUSPECT`, `VICTIM`,
 * `PERSON_AT_RISK`) in the crime category and opening month of their cases in that role, or a
 * status measure (`RESCUED`, `REPATRIATED`) in each category of their cases and the month of the
 * status change. `minCaseTlp` is the lowest TLP among the cases behind the cell, so a TLP ceiling on
 * cases keeps the person exactly when one of those cases is within it. A person is one row per
 * cell, so a count of rows is a count of distinct persons.
 */
export const statsPersonCells = pgTable(
  'stats_person_cells',
  {
    personId: uuid('person_id').notNull(),
    agency: varchar('agency', { length: 16 }).notNull(),
    measure: text('measure').notNull(),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    tlp: tlpEnum('tlp').notNull(),
    handlingCode: varchar('handling_code', { length: 32 }).notNull(),
    nationality: char('nationality', { length: 2 }),
    status: personStatusEnum('status').notNull(),
    minCaseTlp: tlpEnum('min_case_tlp').notNull(),
  },
  (t) => [
    primaryKey({ name: 'stats_person_cells_pk', columns: [t.personId, t.measure, t.crimeCategory, t.month] }),
    index('stats_person_cells_month_idx').on(t.agency, t.measure, t.month),
  ],
)

/**
 * `stats_person_cells` counted per key, kept current by triggers on that table (migration 0005):
 * a person cell added adds one to its key, one removed takes one away, so a sum over the keys a
 * filter selects is a count of distinct persons without reading a row per person.
 */
export const statsPersonCounts = pgTable(
  'stats_person_counts',
  {
    agency: varchar('agency', { length: 16 }).notNull(),
    measure: text('measure').notNull(),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    tlp: tlpEnum('tlp').notNull(),
    handlingCode: varchar('handling_code', { length: 32 }).notNull(),
    nationality: char('nationality', { length: 2 }),
    status: personStatusEnum('status').notNull(),
    minCaseTlp: tlpEnum('min_case_tlp').notNull(),
    persons: integer('persons').notNull(),
  },
  (t) => [
    unique('stats_person_counts_key')
      .on(
        t.agency,
        t.measure,
        t.crimeCategory,
        t.month,
        t.tlp,
        t.handlingCode,
        t.nationality,
        t.status,
        t.minCaseTlp,
      )
      .nullsNotDistinct(),
    index('stats_person_counts_month_idx').on(t.agency, t.measure, t.month),
  ],
)
