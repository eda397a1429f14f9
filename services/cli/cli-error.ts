/** Exit codes of the `jaring` command, after sysexits(3) where one fits. */
export const exitCodes = {
  failure: 1,
  usage: 64,
  dataError: 65,
  unavailable: 69,
  software: 70,
  cantCreate: 73,
  config: 78,
} as const

/** A failure the user can act on: its message is printed as is, with no stack. */
export class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode: number = exitCodes.failure) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
  }
}
