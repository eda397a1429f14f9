/**
 * Records with known counts for the statistics suites: every case, person and link is written
 * here, so each expected figure can be read off the fixture.
 */
import { randomUUID } from 'node:crypto'
import type { DatabaseHandle } from '../../../db/open.ts'
import { casePersons, cases, persons, syndicates } from '../../../db/schema/records.ts'
import type { CaseStatus, CrimeCategory, PersonRole, PersonStatus, Tlp } from '../../../schema/vocabulary.ts'
import { testAgency } from '../../support/app.ts'

export interface CaseSpec {
  category: CrimeCategory
  /** YYYY-MM */
  opened: string
  closed?: string
  status?: CaseStatus
  tlp?: Tlp
  /** Persons linked to the case. */
  persons?: PersonSpec[]
}

export interface PersonSpec {
  role: PersonRole
  nationality?: string
  status?: PersonStatus
  /** YYYY-MM of the last status change. */
  statusMonth?: string
  tlp?: Tlp
}

let serial = 0

/** Writes `count` copies of a case (each with its own persons). */
export async function addCases(
  handle: Pick<DatabaseHandle, 'db'>,
  count: number,
  spec: CaseSpec,
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    serial += 1
    const caseId = randomUUID()
    await handle.db.insert(cases).values({
      id: caseId,
      agency: testAgency,
      externalRef: `STAT-C-${serial}`,
      title: `Statistics fixture case ${serial}`,
      crimeCategory: spec.category,
      status: spec.status ?? (spec.closed ? 'CLOSED' : 'OPEN'),
      country: 'TH',
      tlp: spec.tlp ?? 'GREEN',
      openedOn: `${spec.opened}-10`,
      openedMonth: `${spec.opened}-01`,
      closedOn: spec.closed ? `${spec.closed}-20` : null,
      closedMonth: spec.closed ? `${spec.closed}-01` : null,
    })
    for (const person of spec.persons ?? []) {
      serial += 1
      const personId = randomUUID()
      await handle.db.insert(persons).values({
        id: personId,
        agency: testAgency,
        externalRef: `STAT-P-${serial}`,
        nationality: person.nationality ?? 'TH',
        status: person.status ?? 'AT_LARGE',
        statusChangedOn: person.statusMonth ? `${person.statusMonth}-15` : null,
        statusMonth: person.statusMonth ? `${person.statusMonth}-01` : null,
        tlp: person.tlp ?? 'GREEN',
        notes: 'SECRET-NOTE-MARKER',
      })
      await handle.db.insert(casePersons).values({ caseId, personId, role: person.role })
    }
  }
}

export async function addSyndicates(
  handle: Pick<DatabaseHandle, 'db'>,
  count: number,
  category: CrimeCategory,
  status: 'ACTIVE' | 'DISRUPTED' = 'ACTIVE',
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    serial += 1
    await handle.db.insert(syndicates).values({
      agency: testAgency,
      externalRef: `STAT-S-${serial}`,
      name: `Fixture syndicate ${serial}`,
      crimeCategory: category,
      status,
      tlp: 'GREEN',
    })
  }
}
