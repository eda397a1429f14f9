/**
 * The records as the repositories return them, and the inputs they take. GraphQL and REST share
 * these shapes: `id` is the global id, `uuid` the row's own key (used by loaders, never shown).
 */
import type {
  CaseStatus,
  CrimeCategory,
  DatePrecision,
  Gender,
  IdentifierKind,
  InformationGrading,
  IntelSubjectKind,
  NameKind,
  PersonRole,
  PersonStatus,
  SourceGrading,
  SyndicateMemberRole,
  SyndicateStatus,
  Tlp,
} from '../../../schema/vocabulary.ts'

export interface RecordBase {
  /** The global id `<AGENCY>:<uuid>`. */
  id: string
  uuid: string
  agency: string
  externalRef: string
  tlp: Tlp
  handlingCode: string
  createdAt: Date
  updatedAt: Date
  version: number
}

/** Fields the data-sharing policy can withhold are null when it does (`services/node/policy`). */
export interface CaseRecord extends RecordBase {
  type: 'CASE'
  title: string | null
  summary: string | null
  crimeCategory: CrimeCategory
  status: CaseStatus
  country: string
  location: string | null
  openedOn: string
  closedOn: string | null
}

export interface PersonRecord extends RecordBase {
  type: 'PERSON'
  /** As exact as it is known: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
  dateOfBirth: string | null
  dateOfBirthPrecision: DatePrecision | null
  dateOfBirthApproximate: boolean
  nationality: string | null
  gender: Gender
  status: PersonStatus
  lastKnownCountry: string | null
  statusChangedOn: string | null
  notes: string | null
}

export interface SyndicateRecord extends RecordBase {
  type: 'SYNDICATE'
  name: string
  aliases: string[]
  status: SyndicateStatus
  countries: string[]
  description: string | null
  crimeCategory: CrimeCategory
}

export interface IntelReportRecord extends RecordBase {
  type: 'INTEL_REPORT'
  title: string | null
  body: string | null
  sourceGrading: SourceGrading
  informationGrading: InformationGrading
  crimeCategory: CrimeCategory
  reportedOn: string
}

export type AnyRecord = CaseRecord | PersonRecord | SyndicateRecord | IntelReportRecord

export interface PersonName {
  kind: NameKind
  fullName: string
  script: string
  romanised: string | null
}

export interface Identifier {
  /** The identifier row's UUID. */
  id: string
  kind: IdentifierKind
  value: string
  normalised: string
  issuingCountry: string | null
  tlp: Tlp
}

export interface CasePersonLink {
  role: PersonRole
  person: PersonRecord
}

export interface PersonCaseLink {
  role: PersonRole
  case: CaseRecord
}

export interface SyndicateMemberLink {
  role: SyndicateMemberRole
  person: PersonRecord
}

export interface SyndicateMembershipLink {
  role: SyndicateMemberRole
  syndicate: SyndicateRecord
}

export type IntelSubject = CaseRecord | PersonRecord | SyndicateRecord

// Filters: every given condition must hold; a list matches any of its values.

export interface CaseFilter {
  externalRef?: string | null
  text?: string | null
  crimeCategories?: CrimeCategory[] | null
  statuses?: CaseStatus[] | null
  countries?: string[] | null
  openedFrom?: string | null
  openedTo?: string | null
  tlp?: Tlp[] | null
}

export interface IdentifierLookup {
  kind: IdentifierKind
  value: string
}

export interface PersonFilter {
  externalRef?: string | null
  name?: string | null
  identifier?: IdentifierLookup | null
  identifiers?: IdentifierLookup[] | null
  phone?: string | null
  passport?: string | null
  nationalities?: string[] | null
  statuses?: PersonStatus[] | null
  roles?: PersonRole[] | null
  tlp?: Tlp[] | null
}

export interface SyndicateFilter {
  externalRef?: string | null
  name?: string | null
  statuses?: SyndicateStatus[] | null
  countries?: string[] | null
  crimeCategories?: CrimeCategory[] | null
  tlp?: Tlp[] | null
}

export interface IntelReportFilter {
  externalRef?: string | null
  crimeCategories?: CrimeCategory[] | null
  reportedFrom?: string | null
  reportedTo?: string | null
  sourceGradings?: SourceGrading[] | null
  informationGradings?: InformationGrading[] | null
  subjectId?: string | null
  subjectKinds?: IntelSubjectKind[] | null
  tlp?: Tlp[] | null
}

export interface ListArguments<Filter> {
  filter?: Filter | null
  first?: number | null
  after?: string | null
}

// Inputs of creates and updates. Optional fields left out take their defaults (create) or keep
// their values (update); `null` clears a field that may be empty.

interface RecordInput {
  tlp?: Tlp | null
  handlingCode?: string | null
}

export interface CasePersonInput {
  personId: string
  role: PersonRole
}

export interface CreateCaseInput extends RecordInput {
  externalRef: string
  title: string
  summary?: string | null
  crimeCategory: CrimeCategory
  status?: CaseStatus | null
  country: string
  location?: string | null
  openedOn: string
  closedOn?: string | null
  persons?: CasePersonInput[] | null
}

export interface UpdateCaseInput extends Partial<Omit<CreateCaseInput, 'externalRef'>> {
  id: string
  version: number
}

export interface PersonNameInput {
  kind?: NameKind | null
  fullName: string
  script?: string | null
  romanised?: string | null
}

export interface IdentifierInput {
  kind: IdentifierKind
  value: string
  issuingCountry?: string | null
  tlp?: Tlp | null
}

export interface CreatePersonInput extends RecordInput {
  externalRef: string
  names: PersonNameInput[]
  identifiers?: IdentifierInput[] | null
  dateOfBirth?: string | null
  dateOfBirthApproximate?: boolean | null
  nationality?: string | null
  gender?: Gender | null
  status?: PersonStatus | null
  lastKnownCountry?: string | null
  statusChangedOn?: string | null
  notes?: string | null
}

export interface UpdatePersonInput extends Partial<Omit<CreatePersonInput, 'externalRef'>> {
  id: string
  version: number
}

export interface SyndicateMemberInput {
  personId: string
  role: SyndicateMemberRole
}

export interface CreateSyndicateInput extends RecordInput {
  externalRef: string
  name: string
  aliases?: string[] | null
  status?: SyndicateStatus | null
  countries?: string[] | null
  description?: string | null
  crimeCategory: CrimeCategory
  members?: SyndicateMemberInput[] | null
  caseIds?: string[] | null
}

export interface UpdateSyndicateInput extends Partial<Omit<CreateSyndicateInput, 'externalRef'>> {
  id: string
  version: number
}

export interface CreateIntelReportInput extends RecordInput {
  externalRef: string
  title: string
  body: string
  sourceGrading: SourceGrading
  informationGrading: InformationGrading
  crimeCategory: CrimeCategory
  reportedOn: string
  subjectIds?: string[] | null
}

export interface UpdateIntelReportInput extends Partial<Omit<CreateIntelReportInput, 'externalRef'>> {
  id: string
  version: number
}

/** What an idempotent upsert did with one record. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged'

export interface UpsertResult<T> {
  record: T
  outcome: UpsertOutcome
}
