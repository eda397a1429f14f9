import { describe, expect, test } from 'vitest'
import { nodeVersionProblem } from './node-version.ts'

describe('the Node version guard', () => {
  test('accepts Node 24 and Node 22 from 22.12', () => {
    expect(nodeVersionProblem('24.21.0', '/work/node_modules/.bin/node')).toBeUndefined()
    expect(nodeVersionProblem('22.12.0', '/usr/bin/node')).toBeUndefined()
    expect(nodeVersionProblem('26.0.0', '/usr/bin/node')).toBeUndefined()
  })

  test('refuses the system Node 20 and says how to get Node 24', () => {
    const problem = nodeVersionProblem('20.20.2', '/usr/bin/node')
    expect(problem).toContain('this is Node 20.20.2 (/usr/bin/node)')
    expect(problem).toContain('npm ci')
    expect(problem).toContain('--ignore-scripts')
  })

  test('refuses Node 22 before 22.12', () => {
    expect(nodeVersionProblem('22.11.0', '/usr/bin/node')).toContain('Node >= 22.12')
  })
})
