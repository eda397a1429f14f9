import { pgEnum } from 'drizzle-orm/pg-core'
import {
  auditDirections,
  auditOperationKinds,
  auditOutcomes,
  caseStatuses,
  crimeCategories,
  datePrecisions,
  genders,
  identifierKinds,
  informationGradings,
  nameKinds,
  personRoles,
  personStatuses,
  sourceGradings,
  syndicateMemberRoles,
  syndicateStatuses,
  tlpLevels,
} from '../../schema/vocabulary.ts'

const mutable = <T extends readonly [string, ...string[]]>(values: T) =>
  values as unknown as [T[number], ...T[number][]]

export const tlpEnum = pgEnum('tlp', mutable(tlpLevels))
export const crimeCategoryEnum = pgEnum('crime_category', mutable(crimeCategories))
export const caseStatusEnum = pgEnum('case_status', mutable(caseStatuses))
export const personRoleEnum = pgEnum('person_role', mutable(personRoles))
export const personStatusEnum = pgEnum('person_status', mutable(personStatuses))
export const genderEnum = pgEnum('gender', mutable(genders))
export const datePrecisionEnum = pgEnum('date_precision', mutable(datePrecisions))
export const nameKindEnum = pgEnum('name_kind', mutable(nameKinds))
export const identifierKindEnum = pgEnum('identifier_kind', mutable(identifierKinds))
export const syndicateMemberRoleEnum = pgEnum('syndicate_member_role', mutable(syndicateMemberRoles))
export const syndicateStatusEnum = pgEnum('syndicate_status', mutable(syndicateStatuses))
export const sourceGradingEnum = pgEnum('source_grading', mutable(sourceGradings))
export const informationGradingEnum = pgEnum('information_grading', mutable(informationGradings))
export const auditDirectionEnum = pgEnum('audit_direction', mutable(auditDirections))
export const auditOperationKindEnum = pgEnum('audit_operation_kind', mutable(auditOperationKinds))
export const auditOutcomeEnum = pgEnum('audit_outcome', mutable(auditOutcomes))

/** Database enum name to the vocabulary it was built from: the parity test walks this. */
export const databaseEnums = {
  Tlp: tlpEnum,
  CrimeCategory: crimeCategoryEnum,
  CaseStatus: caseStatusEnum,
  PersonRole: personRoleEnum,
  PersonStatus: personStatusEnum,
  Gender: genderEnum,
  DatePrecision: datePrecisionEnum,
  NameKind: nameKindEnum,
  IdentifierKind: identifierKindEnum,
  SyndicateMemberRole: syndicateMemberRoleEnum,
  SyndicateStatus: syndicateStatusEnum,
  SourceGrading: sourceGradingEnum,
  InformationGrading: informationGradingEnum,
  AuditDirection: auditDirectionEnum,
  AuditOperationKind: auditOperationKindEnum,
  AuditOutcome: auditOutcomeEnum,
} as const
