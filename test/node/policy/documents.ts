/**
 * Policy documents for the policy tests: a minimal valid agreement to vary, and the demo policies.
 */
import { readFileSync } from 'node:fs'
import { parsePolicy } from '../../../services/node/policy/compile.ts'

export const demoAgencies = ['HK-HKPF', 'TH-RTP', 'VN-MPS'] as const

export function demoPolicyText(agency: (typeof demoAgencies)[number]): string {
  return readFileSync(new URL(`../../../services/cli/demo/policies/${agency}.yaml`, import.meta.url), 'utf8')
}

export function demoPolicy(agency: (typeof demoAgencies)[number]) {
  return parsePolicy(demoPolicyText(agency), `${agency}.yaml`)
}

type Json = Record<string, unknown>

/** One agreement with HK-HKPF for RESCUE during 2026, sharing what `resources` says. */
export function agreement(overrides: Json = {}): Json {
  return {
    id: 'test-agreement',
    title: 'Test agreement',
    with: ['HK-HKPF'],
    purposes: ['RESCUE'],
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    resources: {},
    ...overrides,
  }
}

export function policyDocument(agreements: Json[], overrides: Json = {}): Json {
  return { version: 1, agency: 'TH-RTP', agreements, ...overrides }
}
