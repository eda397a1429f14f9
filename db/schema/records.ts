import { sql } from 'drizzle-orm'
import {
  boolean,
  char,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core'
import {
  caseStatusEnum,
  crimeCategoryEnum,
  datePrecisionEnum,
  genderEnum,
  identifierKindEnum,
  informationGradingEnum,
  nameKindEnum,
  personRoleEnum,
  personStatusEnum,
  sourceGradingEnum,
  syndicateMemberRoleEnum,
  syndicateStatusEnum,
  tlpEnum,
} from './enums.ts'

/**
 * Columns every record carries. The global id `<AGENCY>:<uuid>` is derived by the database so it can
 * never disagree with its parts; `external_ref` is the agency's own reference and the key for
 * idempotent import, unique per agency.
 */
const recordColumns = () => ({
  id: uuid('id').primaryKey().defaultRandom(),
  agency: varchar('agency', { length: 16 }).notNull(),
  globalId: text('global_id').notNull().generatedAlwaysAs(sql`agency || ':' || id::text`),
  externalRef: varchar('external_ref', { length: 200 }).notNull(),
  tlp: tlpEnum('tlp').notNull().default('AMBER'),
  handlingCode: varchar('handling_code', { length: 32 }).notNull().default('H3'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  version: integer('version').notNull().default(1),
})

export const cases = pgTable(
  'cases',
  {
    ...recordColumns(),
    title: varchar('title', { length: 500 }).notNull(),
    summary: text('summary').notNull().default(''),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
    status: caseStatusEnum('status').notNull().default('OPEN'),
    /** ISO 3166-1 alpha-2 country where the offence took place (or was reported). */
    country: char('country', { length: 2 }).notNull(),
    location: varchar('location', { length: 300 }),
    openedOn: date('opened_on', { mode: 'string' }).notNull(),
    closedOn: date('closed_on', { mode: 'string' }),
    /** First day of the month opened and closed: stored, because statistics group by them. */
    openedMonth: date('opened_month', { mode: 'string' }).notNull(),
    closedMonth: date('closed_month', { mode: 'string' }),
  },
  (t) => [
    uniqueIndex('cases_agency_external_ref_key').on(t.agency, t.externalRef),
    uniqueIndex('cases_global_id_key').on(t.globalId),
    index('cases_crime_category_opened_month_idx').on(t.crimeCategory, t.openedMonth),
    index('cases_opened_month_idx').on(t.openedMonth),
    // CASES_CLOSED statistics select by category and closing month (docs/statistics.md).
    index('cases_crime_category_closed_month_idx').on(t.crimeCategory, t.closedMonth),
    index('cases_status_idx').on(t.status),
    check('cases_closed_after_opened', sql`${t.closedOn} IS NULL OR ${t.closedOn} >= ${t.openedOn}`),
    check('cases_version_positive', sql`${t.version} > 0`),
  ],
)

export const persons = pgTable(
  'persons',
  {
    ...recordColumns(),
    /** A date of birth may be partial: with precision YEAR only the year is meaningful. */
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    dateOfBirthPrecision: datePrecisionEnum('date_of_birth_precision'),
    dateOfBirthApproximate: boolean('date_of_birth_approximate').notNull().default(false),
    nationality: char('nationality', { length: 2 }),
    gender: genderEnum('gender').notNull().default('UNKNOWN'),
    status: personStatusEnum('status').notNull().default('AT_LARGE'),
    /** Where the person was last known to be: a trapped national's country of captivity. */
    lastKnownCountry: char('last_known_country', { length: 2 }),
    statusChangedOn: date('status_changed_on', { mode: 'string' }),
    /** First day of the month of the last status change: stored for rescue and repatriation statistics. */
    statusMonth: date('status_month', { mode: 'string' }),
    notes: text('notes').notNull().default(''),
  },
  (t) => [
    uniqueIndex('persons_agency_external_ref_key').on(t.agency, t.externalRef),
    uniqueIndex('persons_global_id_key').on(t.globalId),
    index('persons_status_month_idx').on(t.status, t.statusMonth),
    index('persons_nationality_idx').on(t.nationality),
    check(
      'persons_dob_precision_present',
      sql`(${t.dateOfBirth} IS NULL) = (${t.dateOfBirthPrecision} IS NULL)`,
    ),
    check('persons_version_positive', sql`${t.version} > 0`),
  ],
)

/**
 * A person's names and aliases: the name as written (any script) and its romanised form. `tokens`
 * holds the folded parts of both (lower case, no diacritics) so a search ignores case, accents and
 * the order of the parts.
 */
export const personNames = pgTable(
  'person_names',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    kind: nameKindEnum('kind').notNull().default('PRIMARY'),
    fullName: varchar('full_name', { length: 300 }).notNull(),
    /** ISO 15924 script code of `full_name`, for example Thai, Latn, Hani, Mymr, Khmr. */
    script: varchar('script', { length: 4 }).notNull().default('Latn'),
    romanised: varchar('romanised', { length: 300 }),
    tokens: text('tokens').array().notNull(),
  },
  (t) => [
    index('person_names_person_idx').on(t.personId),
    index('person_names_tokens_idx').using('gin', t.tokens),
  ],
)

export const casePersons = pgTable(
  'case_persons',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    role: personRoleEnum('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.personId, t.role] }),
    index('case_persons_person_idx').on(t.personId),
  ],
)

/**
 * Identifiers as typed (`value`) and normalised for exact matching (`normalised`: E.164 phones,
 * upper-case passports without spaces, lower-case e-mails, ...). Lookups use (kind, normalised).
 */
export const identifiers = pgTable(
  'identifiers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agency: varchar('agency', { length: 16 }).notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    kind: identifierKindEnum('kind').notNull(),
    value: varchar('value', { length: 200 }).notNull(),
    normalised: varchar('normalised', { length: 200 }).notNull(),
    issuingCountry: char('issuing_country', { length: 2 }),
    tlp: tlpEnum('tlp').notNull().default('AMBER'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('identifiers_kind_normalised_idx').on(t.kind, t.normalised),
    uniqueIndex('identifiers_person_kind_normalised_key').on(t.personId, t.kind, t.normalised),
  ],
)

export const syndicates = pgTable(
  'syndicates',
  {
    ...recordColumns(),
    name: varchar('name', { length: 300 }).notNull(),
    aliases: text('aliases').array().notNull().default(sql`'{}'::text[]`),
    status: syndicateStatusEnum('status').notNull().default('ACTIVE'),
    /** ISO 3166-1 alpha-2 countries the syndicate operates in. */
    countries: text('countries').array().notNull().default(sql`'{}'::text[]`),
    description: text('description').notNull().default(''),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
  },
  (t) => [
    uniqueIndex('syndicates_agency_external_ref_key').on(t.agency, t.externalRef),
    uniqueIndex('syndicates_global_id_key').on(t.globalId),
    index('syndicates_status_idx').on(t.status),
    check('syndicates_version_positive', sql`${t.version} > 0`),
  ],
)

export const syndicateMembers = pgTable(
  'syndicate_members',
  {
    syndicateId: uuid('syndicate_id')
      .notNull()
      .references(() => syndicates.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id, { onDelete: 'cascade' }),
    role: syndicateMemberRoleEnum('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.syndicateId, t.personId] }),
    index('syndicate_members_person_idx').on(t.personId),
  ],
)

export const syndicateCases = pgTable(
  'syndicate_cases',
  {
    syndicateId: uuid('syndicate_id')
      .notNull()
      .references(() => syndicates.id, { onDelete: 'cascade' }),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.syndicateId, t.caseId] }), index('syndicate_cases_case_idx').on(t.caseId)],
)

export const intelReports = pgTable(
  'intel_reports',
  {
    ...recordColumns(),
    title: varchar('title', { length: 500 }).notNull(),
    body: text('body').notNull(),
    sourceGrading: sourceGradingEnum('source_grading').notNull(),
    informationGrading: informationGradingEnum('information_grading').notNull(),
    crimeCategory: crimeCategoryEnum('crime_category').notNull(),
    reportedOn: date('reported_on', { mode: 'string' }).notNull(),
    reportedMonth: date('reported_month', { mode: 'string' }).notNull(),
  },
  (t) => [
    uniqueIndex('intel_reports_agency_external_ref_key').on(t.agency, t.externalRef),
    uniqueIndex('intel_reports_global_id_key').on(t.globalId),
    index('intel_reports_reported_month_idx').on(t.reportedMonth),
    check('intel_reports_version_positive', sql`${t.version} > 0`),
  ],
)

/** What a report is about: exactly one of a case, a person or a syndicate per row. */
export const intelSubjects = pgTable(
  'intel_subjects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => intelReports.id, { onDelete: 'cascade' }),
    caseId: uuid('case_id').references(() => cases.id, { onDelete: 'cascade' }),
    personId: uuid('person_id').references(() => persons.id, { onDelete: 'cascade' }),
    syndicateId: uuid('syndicate_id').references(() => syndicates.id, { onDelete: 'cascade' }),
  },
  (t) => [
    index('intel_subjects_report_idx').on(t.reportId),
    index('intel_subjects_case_idx').on(t.caseId),
    index('intel_subjects_person_idx').on(t.personId),
    index('intel_subjects_syndicate_idx').on(t.syndicateId),
    check('intel_subjects_exactly_one', sql`num_nonnulls(${t.caseId}, ${t.personId}, ${t.syndicateId}) = 1`),
  ],
)
