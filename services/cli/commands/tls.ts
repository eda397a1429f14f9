/**
 * `jaring tls`: a federation CA and node certificates, for TLS between nodes (docs/protocol.md,
 * "Transport"). For demos and tests; a real federation's secretariat runs its own CA.
 *
 *   tls ca     creates the CA: `federation-ca.key.pem` (keep it secret) and `federation-ca.pem`
 *              (give it to every node: `federation.tls.caFile`)
 *   tls cert   issues a node's certificate for its hosts: `<agency>.cert.pem` and `<agency>.key.pem`
 *              (the node's `listen.tls.certFile` and `keyFile`)
 *
 * Existing files are never replaced.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import path from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import { agencyCodePattern } from '../../../schema/vocabulary.ts'
import {
  createCertificateAuthority,
  issueNodeCertificate,
  maxCertificateDays,
  type PemPair,
} from '../../node/federation/tls.ts'
import { CliError, exitCodes } from '../cli-error.ts'

const caKeyFile = 'federation-ca.key.pem'
const caCertFile = 'federation-ca.pem'

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative
}

function parseDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > maxCertificateDays)
    throw new InvalidArgumentError(`must be a whole number of days from 1 to ${maxCertificateDays}.`)
  return Number(value)
}

function parseAgency(value: string): string {
  const code = value.toUpperCase()
  if (!agencyCodePattern.test(code)) throw new InvalidArgumentError('must be an agency code like TH-RTP.')
  return code
}

/** An IP address, or a DNS name of letters, digits, hyphens and dots. */
function collectHost(value: string, previous: string[] = []): string[] {
  const host = value.trim().toLowerCase()
  const dnsName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/
  if (isIP(host) === 0 && !dnsName.test(host))
    throw new InvalidArgumentError('must be an IP address or a DNS name (node.rtp.example.th).')
  return [...previous, host]
}

/** Writes files that must not exist yet; the private key with mode 0600. */
async function writeNew(files: { file: string; text: string; secret?: boolean }[]): Promise<void> {
  for (const { file, text, secret } of files) {
    try {
      await writeFile(file, text, { flag: 'wx', ...(secret ? { mode: 0o600 } : {}) })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new CliError(
        code === 'EEXIST'
          ? `${shown(file)} exists already: it is never replaced (remove it first to make a new one)`
          : `cannot write ${shown(file)} (${code ?? (error as Error).message})`,
        code === 'EEXIST' ? exitCodes.usage : exitCodes.cantCreate,
      )
    }
  }
}

async function readCa(dir: string): Promise<PemPair> {
  try {
    return {
      keyPem: await readFile(path.join(dir, caKeyFile), 'utf8'),
      certPem: await readFile(path.join(dir, caCertFile), 'utf8'),
    }
  } catch (error) {
    throw new CliError(
      `--ca ${shown(dir)}: no CA there (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); make one with jaring tls ca`,
      exitCodes.usage,
    )
  }
}

export function addTlsCommand(program: Command): void {
  const tls = program
    .command('tls')
    .description('Create a federation CA and node certificates for TLS between nodes (demos and tests)')
  tls
    .command('ca')
    .description(`create a federation CA in a folder (${caKeyFile}, ${caCertFile})`)
    .requiredOption('--dir <folder>', 'where the CA files go')
    .option('--name <name>', 'the CA certificate’s common name', 'Jaring federation CA')
    .option('--days <n>', `validity (1 to ${maxCertificateDays})`, parseDays, 365)
    .action(async (options: { dir: string; name: string; days: number }) => {
      const pair = createCertificateAuthority({ commonName: options.name, days: options.days })
      const dir = path.resolve(options.dir)
      await writeNew([
        { file: path.join(dir, caKeyFile), text: pair.keyPem, secret: true },
        { file: path.join(dir, caCertFile), text: pair.certPem },
      ])
      process.stdout.write(
        `${shown(path.join(dir, caCertFile))}: the federation CA (give it to every node as federation.tls.caFile)\n` +
          `${shown(path.join(dir, caKeyFile))}: its private key (keep it secret)\n`,
      )
    })
  tls
    .command('cert')
    .description('issue a node certificate from the CA for the hosts in its trust-list URL')
    .requiredOption('--ca <folder>', 'the folder of the CA (jaring tls ca)')
    .requiredOption('--agency <code>', 'the node’s agency code (the certificate’s common name)', parseAgency)
    .requiredOption('--host <host>', 'a host name or IP address of the node (repeat for more)', collectHost)
    .requiredOption('--out <folder>', 'where the certificate and key go')
    .option('--days <n>', `validity (1 to ${maxCertificateDays})`, parseDays, 90)
    .action(async (options: { ca: string; agency: string; host: string[]; out: string; days: number }) => {
      const ca = await readCa(path.resolve(options.ca))
      let pair: PemPair
      try {
        pair = issueNodeCertificate(ca, {
          commonName: options.agency,
          hosts: options.host,
          days: options.days,
        })
      } catch (error) {
        throw new CliError(`cannot issue the certificate: ${(error as Error).message}`, exitCodes.dataError)
      }
      const out = path.resolve(options.out)
      const certFile = path.join(out, `${options.agency}.cert.pem`)
      const keyFile = path.join(out, `${options.agency}.key.pem`)
      await writeNew([
        { file: keyFile, text: pair.keyPem, secret: true },
        { file: certFile, text: pair.certPem },
      ])
      process.stdout.write(
        `${shown(certFile)}: ${options.agency} for ${options.host.join(', ')} (listen.tls.certFile)\n` +
          `${shown(keyFile)}: its private key (listen.tls.keyFile; keep it secret)\n`,
      )
    })
}
