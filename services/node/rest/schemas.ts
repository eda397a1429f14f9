/**
 * The JSON Schemas of the REST API, written once in TypeBox: Fastify validates requests and
 * serialises responses with them, and the OpenAPI document is generated from them. Every object
 * mirrors the GraphQL type of the same name (see contract.ts), so field names, descriptions and
 * defaults are the contract's. Lengths follow the database columns; the records layer checks the
 * same bounds again, so GraphQL and REST refuse the same inputs.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { peerStatuses } from '../../../schema/index.ts'
import {
  agencyCodePattern,
  caseStatuses,
  crimeCategories,
  datePrecisions,
  genders,
  identifierKinds,
  informationGradings,
  intelSubjectKinds,
  nameKinds,
  personRoles,
  personStatuses,
  sourceGradings,
  syndicateMemberRoles,
  syndicateStatuses,
  tlpLevels,
} from '../../../schema/vocabulary.ts'
import { errorCatalogue } from '../errors.ts'
import { maxLocationLength, maxTitleLength } from '../records/cases.ts'
import { maxCursorLength } from '../records/cursor.ts'
import { maxFilterValues } from '../records/filters.ts'
import { maxReportTitleLength, maxSubjects } from '../records/intel-reports.ts'
import { maxIdentifiersPerPerson, maxNameLength, maxNamesPerPerson } from '../records/persons.ts'
import { maxAliases, maxCountries, maxSyndicateNameLength } from '../records/syndicates.ts'
import { maxFreeTextLength, maxListLength } from '../records/values.ts'
import { maxExternalRefLength, maxHandlingCodeLength } from '../records/write.ts'
import { mirrorInput, mirrorOutput } from './contract.ts'

/** The identifiers column holds 200 characters. */
export const maxIdentifierValueLength = 200
/** Longest global id accepted at all; the repositories parse it strictly (INVALID_GLOBAL_ID). */
export const maxIdLength = 200
/** Longest search text and identifier value in a list filter, as the repositories bound them. */
export const maxSearchLength = 1000

// Vocabularies (schema/vocabulary.ts is the single source).
export const TlpSchema = Type.Enum([...tlpLevels])
export const CrimeCategorySchema = Type.Enum([...crimeCategories])
export const CaseStatusSchema = Type.Enum([...caseStatuses])
export const PersonRoleSchema = Type.Enum([...personRoles])
export const PersonStatusSchema = Type.Enum([...personStatuses])
export const GenderSchema = Type.Enum([...genders])
export const DatePrecisionSchema = Type.Enum([...datePrecisions])
export const NameKindSchema = Type.Enum([...nameKinds])
export const IdentifierKindSchema = Type.Enum([...identifierKinds])
export const SyndicateMemberRoleSchema = Type.Enum([...syndicateMemberRoles])
export const SyndicateStatusSchema = Type.Enum([...syndicateStatuses])
export const SourceGradingSchema = Type.Enum([...sourceGradings])
export const InformationGradingSchema = Type.Enum([...informationGradings])
export const IntelSubjectKindSchema = Type.Enum([...intelSubjectKinds])
export const PeerStatusSchema = Type.Enum([...peerStatuses])

// Scalars of the contract.
export const IdSchema = Type.String({
  minLength: 1,
  maxLength: maxIdLength,
  description: 'A global record id `<AGENCY>:<uuid>`.',
})
export const CountryCodeSchema = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2, upper case.',
})
export const AgencyCodeSchema = Type.String({ pattern: agencyCodePattern.source })
export const DateSchema = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
export const DateTimeSchema = Type.String({ format: 'date-time' })
export const PartialDateSchema = Type.String({
  pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$',
  description: 'YYYY, YYYY-MM or YYYY-MM-DD',
})
export const CursorSchema = Type.String({ minLength: 1, maxLength: maxCursorLength })
const text = (maxLength: number) => Type.String({ maxLength })
const nonEmptyText = (maxLength: number) => Type.String({ minLength: 1, maxLength })
const list = <T extends TSchema>(items: T, maxItems = maxListLength) => Type.Array(items, { maxItems })
const filterList = <T extends TSchema>(items: T) => Type.Array(items, { maxItems: maxFilterValues })
const ExternalRef = nonEmptyText(maxExternalRefLength)
const HandlingCode = nonEmptyText(maxHandlingCodeLength)
const FreeText = text(maxFreeTextLength)

// Inputs: the bodies of POST (create) and PATCH (update).

const version = Type.Integer({ minimum: 1 })
const recordInputFields = {
  tlp: Type.Optional(TlpSchema),
  handlingCode: Type.Optional(HandlingCode),
}

export const CasePersonInput = mirrorInput('CasePersonInput', { personId: IdSchema, role: PersonRoleSchema })

const caseFields = {
  ...recordInputFields,
  summary: Type.Optional(FreeText),
  status: Type.Optional(CaseStatusSchema),
  location: Type.Optional(text(maxLocationLength)),
  closedOn: Type.Optional(DateSchema),
}
const newCaseFields = {
  externalRef: ExternalRef,
  title: nonEmptyText(maxTitleLength),
  crimeCategory: CrimeCategorySchema,
  country: CountryCodeSchema,
  openedOn: DateSchema,
  ...caseFields,
}

export const CreateCaseInput = mirrorInput('CreateCaseInput', {
  ...newCaseFields,
  persons: Type.Optional(list(CasePersonInput)),
})

/** The body of PATCH: the GraphQL update input without `id`, which is in the path. */
export const UpdateCaseBody = mirrorInput(
  'UpdateCaseInput',
  {
    version,
    title: Type.Optional(nonEmptyText(maxTitleLength)),
    crimeCategory: Type.Optional(CrimeCategorySchema),
    country: Type.Optional(CountryCodeSchema),
    openedOn: Type.Optional(DateSchema),
    ...caseFields,
    persons: Type.Optional(list(CasePersonInput)),
  },
  { omitted: ['id'] },
)

export const PersonNameInput = mirrorInput('PersonNameInput', {
  kind: Type.Optional(NameKindSchema),
  fullName: nonEmptyText(maxNameLength),
  script: Type.Optional(Type.String({ pattern: '^[A-Z][a-z]{3}$' })),
  romanised: Type.Optional(text(maxNameLength)),
})

export const IdentifierInput = mirrorInput('IdentifierInput', {
  kind: IdentifierKindSchema,
  value: nonEmptyText(maxIdentifierValueLength),
  issuingCountry: Type.Optional(CountryCodeSchema),
  tlp: Type.Optional(TlpSchema),
})

const names = Type.Array(PersonNameInput, { minItems: 1, maxItems: maxNamesPerPerson })
const personFields = {
  ...recordInputFields,
  identifiers: Type.Optional(list(IdentifierInput, maxIdentifiersPerPerson)),
  dateOfBirth: Type.Optional(PartialDateSchema),
  dateOfBirthApproximate: Type.Optional(Type.Boolean()),
  nationality: Type.Optional(CountryCodeSchema),
  gender: Type.Optional(GenderSchema),
  status: Type.Optional(PersonStatusSchema),
  lastKnownCountry: Type.Optional(CountryCodeSchema),
  statusChangedOn: Type.Optional(DateSchema),
  notes: Type.Optional(FreeText),
}

export const CreatePersonInput = mirrorInput('CreatePersonInput', {
  externalRef: ExternalRef,
  names,
  ...personFields,
})

export const UpdatePersonBody = mirrorInput(
  'UpdatePersonInput',
  { version, names: Type.Optional(names), ...personFields },
  { omitted: ['id'] },
)

export const SyndicateMemberInput = mirrorInput('SyndicateMemberInput', {
  personId: IdSchema,
  role: SyndicateMemberRoleSchema,
})

const syndicateFields = {
  ...recordInputFields,
  aliases: Type.Optional(list(nonEmptyText(maxSyndicateNameLength), maxAliases)),
  status: Type.Optional(SyndicateStatusSchema),
  countries: Type.Optional(list(CountryCodeSchema, maxCountries)),
  description: Type.Optional(FreeText),
  caseIds: Type.Optional(list(IdSchema)),
}
const newSyndicateFields = {
  externalRef: ExternalRef,
  name: nonEmptyText(maxSyndicateNameLength),
  crimeCategory: CrimeCategorySchema,
  ...syndicateFields,
}

export const CreateSyndicateInput = mirrorInput('CreateSyndicateInput', {
  ...newSyndicateFields,
  members: Type.Optional(list(SyndicateMemberInput)),
})

export const UpdateSyndicateBody = mirrorInput(
  'UpdateSyndicateInput',
  {
    version,
    name: Type.Optional(nonEmptyText(maxSyndicateNameLength)),
    crimeCategory: Type.Optional(CrimeCategorySchema),
    ...syndicateFields,
    members: Type.Optional(list(SyndicateMemberInput)),
  },
  { omitted: ['id'] },
)

const intelReportFields = {
  ...recordInputFields,
  subjectIds: Type.Optional(list(IdSchema, maxSubjects)),
}
const newIntelReportFields = {
  externalRef: ExternalRef,
  title: nonEmptyText(maxReportTitleLength),
  body: nonEmptyText(maxFreeTextLength),
  sourceGrading: SourceGradingSchema,
  informationGrading: InformationGradingSchema,
  crimeCategory: CrimeCategorySchema,
  reportedOn: DateSchema,
  ...intelReportFields,
}

export const CreateIntelReportInput = mirrorInput('CreateIntelReportInput', newIntelReportFields)

export const UpdateIntelReportBody = mirrorInput(
  'UpdateIntelReportInput',
  {
    version,
    title: Type.Optional(nonEmptyText(maxReportTitleLength)),
    body: Type.Optional(nonEmptyText(maxFreeTextLength)),
    sourceGrading: Type.Optional(SourceGradingSchema),
    informationGrading: Type.Optional(InformationGradingSchema),
    crimeCategory: Type.Optional(CrimeCategorySchema),
    reportedOn: Type.Optional(DateSchema),
    ...intelReportFields,
  },
  { omitted: ['id'] },
)

// Import records: the create inputs, where a link may also name a record by its external reference
// (an earlier line of the same batch, or a record already stored).

const personLink = <R extends TSchema>(role: R, description: string) =>
  Type.Object(
    {
      personId: Type.Optional(IdSchema),
      personExternalRef: Type.Optional(
        Type.Unsafe<string>({
          ...ExternalRef,
          description: 'The person’s externalRef: give it or `personId`, not both.',
        }),
      ),
      role,
    },
    { additionalProperties: false, description },
  )

export const ImportCasePersonInput = personLink(
  PersonRoleSchema,
  'A person in the case, by `personId` or `personExternalRef`.',
)
export const ImportSyndicateMemberInput = personLink(
  SyndicateMemberRoleSchema,
  'A member of the syndicate, by `personId` or `personExternalRef`.',
)
export const ImportSubjectReference = Type.Object(
  { kind: IntelSubjectKindSchema, externalRef: ExternalRef },
  {
    additionalProperties: false,
    description: 'A case, person or syndicate of this agency by its externalRef.',
  },
)

export const ImportCaseRecord = mirrorInput('CreateCaseInput', {
  ...newCaseFields,
  persons: Type.Optional(list(ImportCasePersonInput)),
})

export const ImportPersonRecord = CreatePersonInput

export const ImportSyndicateRecord = mirrorInput(
  'CreateSyndicateInput',
  {
    ...newSyndicateFields,
    members: Type.Optional(list(ImportSyndicateMemberInput)),
    caseExternalRefs: Type.Optional(
      Type.Array(ExternalRef, {
        maxItems: maxListLength,
        description: 'Linked cases by externalRef, in addition to `caseIds`.',
      }),
    ),
  },
  { extensions: ['caseExternalRefs'] },
)

export const ImportIntelReportRecord = mirrorInput(
  'CreateIntelReportInput',
  {
    ...newIntelReportFields,
    subjectExternalRefs: Type.Optional(
      Type.Array(ImportSubjectReference, {
        maxItems: maxSubjects,
        description: 'Subjects by kind and externalRef, in addition to `subjectIds`.',
      }),
    ),
  },
  { extensions: ['subjectExternalRefs'] },
)

export const importTypes = ['case', 'person', 'syndicate', 'intelReport'] as const
export type ImportType = (typeof importTypes)[number]

/** The envelope of one NDJSON line, checked before the record inside it. */
export const ImportEnvelope = Type.Object(
  {
    type: Type.Enum([...importTypes], { description: 'What the record is.' }),
    record: Type.Object({}, { additionalProperties: true, description: 'The record, as for a create.' }),
  },
  { additionalProperties: false },
)

/** One NDJSON line, for the documentation: a type and its record. */
export const ImportLine = Type.Union(
  (
    [
      ['case', ImportCaseRecord],
      ['person', ImportPersonRecord],
      ['syndicate', ImportSyndicateRecord],
      ['intelReport', ImportIntelReportRecord],
    ] as const
  ).map(([type, record]) =>
    Type.Object({ type: Type.Literal(type), record }, { additionalProperties: false }),
  ),
  { description: 'One line of the NDJSON body: `{"type": ..., "record": {...}}`.' },
)

export const ImportSummarySchema = Type.Object(
  {
    lines: Type.Integer({ description: 'Records read (blank lines are not counted).' }),
    created: Type.Integer({ description: 'Records that did not exist and were created.' }),
    updated: Type.Integer({
      description: 'Existing records (same externalRef) brought to the line’s content.',
    }),
    unchanged: Type.Integer({ description: 'Existing records that already matched the line.' }),
  },
  { additionalProperties: false, description: 'The whole batch was written in one transaction.' },
)

export const ImportLineErrorSchema = Type.Object(
  {
    line: Type.Integer({ description: 'The 1-based line number in the body.' }),
    code: Type.String({ description: 'A stable code from docs/errors.md.' }),
    message: Type.String(),
    path: Type.Optional(
      Type.String({ description: 'The field at fault, such as `record.persons[0].role`.' }),
    ),
  },
  { additionalProperties: false },
)

// Outputs: records as GET returns them. Links to other records carry their ids; GraphQL walks the
// graph further when a client needs it.

const SourceSchema = mirrorOutput('Source', { agency: AgencyCodeSchema })

const recordFields = {
  id: IdSchema,
  source: SourceSchema,
  externalRef: Type.String(),
  tlp: TlpSchema,
  handlingCode: Type.String(),
  createdAt: DateTimeSchema,
  updatedAt: DateTimeSchema,
  version: Type.Integer(),
}

const reverseLinks = ['syndicates', 'intelReports', 'cases'] as const

const PersonReference = Type.Object({ id: IdSchema }, { additionalProperties: false })
const CaseReference = Type.Object({ id: IdSchema }, { additionalProperties: false })

export const CasePersonOutput = mirrorOutput('CasePerson', {
  role: PersonRoleSchema,
  person: PersonReference,
})

export const CaseSchema = mirrorOutput(
  'Case',
  {
    ...recordFields,
    title: Type.String(),
    summary: Type.String(),
    crimeCategory: CrimeCategorySchema,
    status: CaseStatusSchema,
    country: CountryCodeSchema,
    location: Type.String(),
    openedOn: DateSchema,
    closedOn: DateSchema,
    persons: Type.Array(CasePersonOutput),
  },
  { omitted: ['syndicates', 'intelReports'] },
)

export const PersonNameSchema = mirrorOutput('PersonName', {
  kind: NameKindSchema,
  fullName: Type.String(),
  script: Type.String(),
  romanised: Type.String(),
})

export const IdentifierSchema = mirrorOutput('Identifier', {
  id: Type.String(),
  kind: IdentifierKindSchema,
  value: Type.String(),
  normalised: Type.String(),
  issuingCountry: CountryCodeSchema,
  tlp: TlpSchema,
})

export const PersonSchema = mirrorOutput(
  'Person',
  {
    ...recordFields,
    names: Type.Array(PersonNameSchema),
    primaryName: PersonNameSchema,
    dateOfBirth: PartialDateSchema,
    dateOfBirthPrecision: DatePrecisionSchema,
    dateOfBirthApproximate: Type.Boolean(),
    nationality: CountryCodeSchema,
    gender: GenderSchema,
    status: PersonStatusSchema,
    lastKnownCountry: CountryCodeSchema,
    statusChangedOn: DateSchema,
    notes: Type.String(),
    identifiers: Type.Array(IdentifierSchema),
  },
  { omitted: reverseLinks },
)

export const SyndicateMemberOutput = mirrorOutput('SyndicateMember', {
  role: SyndicateMemberRoleSchema,
  person: PersonReference,
})

export const SyndicateSchema = mirrorOutput(
  'Syndicate',
  {
    ...recordFields,
    name: Type.String(),
    aliases: Type.Array(Type.String()),
    status: SyndicateStatusSchema,
    countries: Type.Array(CountryCodeSchema),
    description: Type.String(),
    crimeCategory: CrimeCategorySchema,
    members: Type.Array(SyndicateMemberOutput),
    cases: Type.Array(CaseReference),
  },
  { omitted: ['intelReports'] },
)

export const IntelSubjectReference = Type.Object(
  { kind: IntelSubjectKindSchema, id: IdSchema },
  {
    additionalProperties: false,
    description: 'A case, person or syndicate the report is about (GraphQL: the IntelSubject union).',
  },
)

export const IntelReportSchema = mirrorOutput('IntelReport', {
  ...recordFields,
  title: Type.String(),
  body: Type.String(),
  sourceGrading: SourceGradingSchema,
  informationGrading: InformationGradingSchema,
  crimeCategory: CrimeCategorySchema,
  reportedOn: DateSchema,
  subjects: Type.Array(IntelSubjectReference),
})

export const PageInfoSchema = mirrorOutput('PageInfo', {
  hasNextPage: Type.Boolean(),
  endCursor: CursorSchema,
})

export const PeerReportSchema = mirrorOutput('PeerReport', {
  agency: AgencyCodeSchema,
  status: PeerStatusSchema,
  latencyMs: Type.Integer(),
  code: Type.String(),
})

function connection<T extends TSchema>(typeName: string, node: T) {
  return mirrorOutput(typeName, {
    nodes: Type.Array(node),
    pageInfo: PageInfoSchema,
    peers: Type.Array(PeerReportSchema),
  })
}

export const CaseConnectionSchema = connection('CaseConnection', CaseSchema)
export const PersonConnectionSchema = connection('PersonConnection', PersonSchema)
export const SyndicateConnectionSchema = connection('SyndicateConnection', SyndicateSchema)
export const IntelReportConnectionSchema = connection('IntelReportConnection', IntelReportSchema)

// List filters as query parameters. A list parameter is repeated (`statuses=OPEN&statuses=CLOSED`)
// or comma-separated (`statuses=OPEN,CLOSED`); both mean "any of these".

export const pageParameters = {
  first: Type.Optional(
    Type.Integer({ description: 'How many records to return (1 to 100; 20 when left out).' }),
  ),
  after: Type.Optional(
    Type.Unsafe<string>({
      ...CursorSchema,
      description: "Continue after this cursor (the previous page's `pageInfo.endCursor`).",
    }),
  ),
}
export const pageExtensions = ['first', 'after'] as const
const Search = nonEmptyText(maxSearchLength)
const FilterRef = nonEmptyText(maxExternalRefLength)

export const CaseListQuery = mirrorInput(
  'CaseFilter',
  {
    externalRef: Type.Optional(FilterRef),
    text: Type.Optional(Search),
    crimeCategories: Type.Optional(filterList(CrimeCategorySchema)),
    statuses: Type.Optional(filterList(CaseStatusSchema)),
    countries: Type.Optional(filterList(CountryCodeSchema)),
    openedFrom: Type.Optional(DateSchema),
    openedTo: Type.Optional(DateSchema),
    tlp: Type.Optional(filterList(TlpSchema)),
    ...pageParameters,
  },
  { query: true, extensions: pageExtensions },
)

export const PersonListQuery = mirrorInput(
  'PersonFilter',
  {
    externalRef: Type.Optional(FilterRef),
    name: Type.Optional(Search),
    identifierKind: Type.Optional(
      Type.Unsafe<Static<typeof IdentifierKindSchema>>({
        ...IdentifierKindSchema,
        description: 'With `identifierValue`: an identifier of this kind (GraphQL `filter.identifier.kind`).',
      }),
    ),
    identifierValue: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: maxSearchLength,
        description:
          'With `identifierKind`: the value in any common format, matched on its normalised form (GraphQL `filter.identifier.value`).',
      }),
    ),
    phone: Type.Optional(Search),
    passport: Type.Optional(Search),
    nationalities: Type.Optional(filterList(CountryCodeSchema)),
    statuses: Type.Optional(filterList(PersonStatusSchema)),
    roles: Type.Optional(filterList(PersonRoleSchema)),
    tlp: Type.Optional(filterList(TlpSchema)),
    ...pageParameters,
  },
  {
    query: true,
    omitted: ['identifier', 'identifiers'],
    extensions: [...pageExtensions, 'identifierKind', 'identifierValue'],
  },
)

export const SyndicateListQuery = mirrorInput(
  'SyndicateFilter',
  {
    externalRef: Type.Optional(FilterRef),
    name: Type.Optional(Search),
    statuses: Type.Optional(filterList(SyndicateStatusSchema)),
    countries: Type.Optional(filterList(CountryCodeSchema)),
    crimeCategories: Type.Optional(filterList(CrimeCategorySchema)),
    tlp: Type.Optional(filterList(TlpSchema)),
    ...pageParameters,
  },
  { query: true, extensions: pageExtensions },
)

export const IntelReportListQuery = mirrorInput(
  'IntelReportFilter',
  {
    externalRef: Type.Optional(FilterRef),
    crimeCategories: Type.Optional(filterList(CrimeCategorySchema)),
    reportedFrom: Type.Optional(DateSchema),
    reportedTo: Type.Optional(DateSchema),
    sourceGradings: Type.Optional(filterList(SourceGradingSchema)),
    informationGradings: Type.Optional(filterList(InformationGradingSchema)),
    subjectId: Type.Optional(IdSchema),
    subjectKinds: Type.Optional(filterList(IntelSubjectKindSchema)),
    tlp: Type.Optional(filterList(TlpSchema)),
    ...pageParameters,
  },
  { query: true, extensions: pageExtensions },
)

export const RecordParams = Type.Object(
  { id: Type.Unsafe<string>({ ...IdSchema, description: 'The global id `<AGENCY>:<uuid>`.' }) },
  { additionalProperties: false },
)

// Errors: the coded JSON body of every failure.

export const ErrorSchema = Type.Object(
  {
    code: Type.Enum(Object.keys(errorCatalogue), { description: 'A stable code from docs/errors.md.' }),
    message: Type.String({ description: 'A human sentence; may change, unlike the code.' }),
    path: Type.Optional(Type.String({ description: 'The input field at fault, such as `persons[0].role`.' })),
    requestId: Type.String({ description: 'The request id, also in the `x-request-id` header.' }),
    currentVersion: Type.Optional(
      Type.Integer({ description: 'With VERSION_CONFLICT: the version the record is at.' }),
    ),
  },
  { additionalProperties: true, description: 'A coded error.' },
)

export const ImportFailureSchema = Type.Object(
  {
    code: Type.Literal('IMPORT_FAILED'),
    message: Type.String(),
    requestId: Type.String(),
    lines: Type.Integer({ description: 'Records read.' }),
    errorCount: Type.Integer({ description: 'How many lines failed.' }),
    errors: Type.Array(ImportLineErrorSchema, {
      description: 'The first failed lines (at most 100), in line order.',
    }),
  },
  { additionalProperties: false, description: 'The batch was rejected; nothing was written.' },
)
