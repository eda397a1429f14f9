/**
 * The controlled vocabularies of the data model: the single source of truth for the database enums
 * (db/schema) and the GraphQL enums (schema/*.graphql). A test fails when the two drift apart.
 * Values are the GraphQL spelling (SCREAMING_SNAKE_CASE) so that no mapping layer is needed.
 */

/** Traffic Light Protocol 2.0 levels, lowest to highest: the order matters for clearance checks. */
export const tlpLevels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const
export type Tlp = (typeof tlpLevels)[number]

/** The SOMTC areas of transnational crime. */
export const crimeCategories = [
  'TERRORISM',
  'ILLICIT_DRUG_TRAFFICKING',
  'TRAFFICKING_IN_PERSONS',
  'PEOPLE_SMUGGLING',
  'MONEY_LAUNDERING',
  'ARMS_SMUGGLING',
  'SEA_PIRACY',
  'INTERNATIONAL_ECONOMIC_CRIME',
  'CYBERCRIME',
  'WILDLIFE_AND_TIMBER_TRAFFICKING',
] as const
export type CrimeCategory = (typeof crimeCategories)[number]

export const caseStatuses = ['OPEN', 'UNDER_INVESTIGATION', 'REFERRED', 'CLOSED'] as const
export type CaseStatus = (typeof caseStatuses)[number]

/** The role a person plays in one case. */
export const personRoles = ['SUSPECT', 'VICTIM', 'WITNESS', 'PERSON_AT_RISK'] as const
export type PersonRole = (typeof personRoles)[number]

export const personStatuses = [
  'AT_LARGE',
  'DETAINED',
  'HANDED_OVER',
  'TRAPPED',
  'RESCUED',
  'REPATRIATED',
] as const
export type PersonStatus = (typeof personStatuses)[number]

export const genders = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] as const
export type Gender = (typeof genders)[number]

/** How exact a date of birth is: partial dates keep only the year, or the year and month. */
export const datePrecisions = ['DAY', 'MONTH', 'YEAR'] as const
export type DatePrecision = (typeof datePrecisions)[number]

/** A person's primary name, or an alias they are known by. */
export const nameKinds = ['PRIMARY', 'ALIAS'] as const
export type NameKind = (typeof nameKinds)[number]

export const identifierKinds = [
  'PASSPORT',
  'NATIONAL_ID',
  'PHONE',
  'EMAIL',
  'SOCIAL_HANDLE',
  'BANK_ACCOUNT',
  'CRYPTO_WALLET',
  'IMEI',
  'VEHICLE_PLATE',
] as const
export type IdentifierKind = (typeof identifierKinds)[number]

export const syndicateMemberRoles = ['LEADER', 'MEMBER', 'FACILITATOR', 'MONEY_MULE'] as const
export type SyndicateMemberRole = (typeof syndicateMemberRoles)[number]

export const syndicateStatuses = ['ACTIVE', 'DISRUPTED', 'DISMANTLED'] as const
export type SyndicateStatus = (typeof syndicateStatuses)[number]

/** Admiralty source reliability grading: A completely reliable ... F cannot be judged. */
export const sourceGradings = ['A', 'B', 'C', 'D', 'E', 'F'] as const
export type SourceGrading = (typeof sourceGradings)[number]

/** Admiralty information credibility grading: 1 confirmed ... 6 cannot be judged. */
export const informationGradings = ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX'] as const
export type InformationGrading = (typeof informationGradings)[number]

/** What an intelligence report is about. */
export const intelSubjectKinds = ['CASE', 'PERSON', 'SYNDICATE'] as const
export type IntelSubjectKind = (typeof intelSubjectKinds)[number]

/** Record types, each with its own global-id space within an agency. */
export const recordTypes = ['CASE', 'PERSON', 'SYNDICATE', 'INTEL_REPORT'] as const
export type RecordType = (typeof recordTypes)[number]

/** Where an audited request came from: this node's own users, a peer asking, or this node asking a peer. */
export const auditDirections = ['LOCAL', 'INBOUND', 'OUTBOUND'] as const
export type AuditDirection = (typeof auditDirections)[number]

/** What an audited request did: a GraphQL query or mutation, or a REST read or write. */
export const auditOperationKinds = ['QUERY', 'MUTATION', 'REST_READ', 'REST_WRITE'] as const
export type AuditOperationKind = (typeof auditOperationKinds)[number]

/** How an audited request ended: served, served without some peers, refused, or failed. */
export const auditOutcomes = ['ALLOWED', 'PARTIAL', 'DENIED', 'FAILED'] as const
export type AuditOutcome = (typeof auditOutcomes)[number]

/** Every vocabulary by the GraphQL enum name that carries it. */
export const vocabularies = {
  Tlp: tlpLevels,
  CrimeCategory: crimeCategories,
  CaseStatus: caseStatuses,
  PersonRole: personRoles,
  PersonStatus: personStatuses,
  Gender: genders,
  DatePrecision: datePrecisions,
  NameKind: nameKinds,
  IdentifierKind: identifierKinds,
  SyndicateMemberRole: syndicateMemberRoles,
  SyndicateStatus: syndicateStatuses,
  SourceGrading: sourceGradings,
  InformationGrading: informationGradings,
  IntelSubjectKind: intelSubjectKinds,
  AuditDirection: auditDirections,
  AuditOperationKind: auditOperationKinds,
  AuditOutcome: auditOutcomes,
} as const satisfies Record<string, readonly string[]>

/** Agency codes look like `TH-RTP`: a two-letter country (ISO 3166-1 alpha-2) and an agency acronym. */
export const agencyCodePattern = /^[A-Z]{2}-[A-Z0-9]{2,10}$/
