import { describe, expect, it } from 'vitest'
import { cliTimeoutMs, runJaring } from './run.ts'

describe('jaring', { timeout: cliTimeoutMs }, () => {
  it('lists init, serve and migrate in its help', async () => {
    const result = await runJaring(['--help'])
    expect(result.code).toBe(0)
    for (const command of ['init', 'serve', 'migrate'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
  })

  it('refuses an unknown command with the usage', async () => {
    const result = await runJaring(['frobnicate'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain("unknown command 'frobnicate'")
    expect(result.stderr).toContain('Usage: jaring [options] [command]')
  })
})
