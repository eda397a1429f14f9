/**
 * The `jaring` command. Each sub-command lives in `commands/<name>.ts` and registers itself on the
 * program; this file only assembles them and turns failures into exit codes.
 */
import { Command, CommanderError } from 'commander'
import { CliError } from './cli-error.ts'
import { addAuditCommand } from './commands/audit.ts'
import { addDemoCommand } from './commands/demo.ts'
import { addInitCommand } from './commands/init.ts'
import { addMigrateCommand } from './commands/migrate.ts'
import { addPolicyCommand } from './commands/policy.ts'
import { addSeedCommand } from './commands/seed.ts'
import { addServeCommand } from './commands/serve.ts'
import { addTlsCommand } from './commands/tls.ts'
import { addTokenCommand } from './commands/token.ts'
import { addTrustCommand } from './commands/trust.ts'

/** Each sub-command module adds itself to the program. */
type CommandModule = (program: Command) => void

const commandModules: CommandModule[] = [
  addInitCommand,
  addServeCommand,
  addMigrateCommand,
  addSeedCommand,
  addPolicyCommand,
  addTokenCommand,
  addAuditCommand,
  addTrustCommand,
  addTlsCommand,
  addDemoCommand,
]

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('jaring')
    .description('Jaring: federated exchange hub for law-enforcement agencies')
    .exitOverride()
    .showHelpAfterError()
  for (const addCommand of commandModules) addCommand(program)
  try {
    await program.parseAsync([...argv])
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    if (error instanceof CliError) {
      process.stderr.write(`jaring: ${error.message}\n`)
      return error.exitCode
    }
    process.stderr.write(`jaring: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
