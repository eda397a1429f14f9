/**
 * A federation CA and node certificates for TLS between nodes (issue 6, item 6), built with
 * node:crypto alone: Node can make and check keys and certificates but not issue them, and a
 * dependency for a few hundred bytes of DER is not worth its supply chain. ECDSA P-256 with
 * SHA-256 throughout, the profile every TLS stack accepts.
 *
 * The CA signs only node certificates (pathLen 0). A node certificate names its hosts as subject
 * alternative names (IP addresses and DNS names) and serves both ends of a connection (serverAuth,
 * clientAuth). `jaring tls` writes them; a node listens with its own and verifies its peers against
 * the CA named in `federation.tls.caFile` (docs/protocol.md, "Transport").
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto'
import { isIP } from 'node:net'

export interface PemPair {
  /** The private key, PKCS#8 PEM. */
  keyPem: string
  certPem: string
}

const dayMs = 86_400_000
/** Certificates of this tool last at most this long (the CA/Browser Forum's old ceiling, ample for a demo). */
export const maxCertificateDays = 825

// --- DER ----------------------------------------------------------------------------------------

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size])
  const bytes: number[] = []
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}
const sequence = (...items: Buffer[]) => tlv(0x30, ...items)
const set = (...items: Buffer[]) => tlv(0x31, ...items)
const octets = (content: Buffer) => tlv(0x04, content)
const bits = (content: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), content)
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]))
const explicit = (tag: number, content: Buffer) => tlv(0xa0 | tag, content)

function integer(value: Buffer): Buffer {
  let bytes = value
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] as number) & 0x80) === 0) bytes = bytes.subarray(1)
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes])
  return tlv(0x02, bytes)
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * first + second]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift(0x80 | (value & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(instant: Date): Buffer {
  const iso = instant
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(/[-:T]/g, '')
  return instant.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso))
}

const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'))
const name = (commonName: string) => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))))
const extension = (id: string, critical: boolean, value: Buffer) =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octets(value))

function subjectAltNames(hosts: readonly string[]): Buffer {
  const names = hosts.map((host) => {
    const family = isIP(host)
    if (family === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)))
    if (family === 6) {
      const url = new URL(`http://[${host}]`).hostname.slice(1, -1)
      const groups = url.includes('::')
        ? (() => {
            const [head = '', tail = ''] = url.split('::')
            const left = head ? head.split(':') : []
            const right = tail ? tail.split(':') : []
            return [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
          })()
        : url.split(':')
      return tlv(0x87, Buffer.concat(groups.map((group) => Buffer.from(group.padStart(4, '0'), 'hex'))))
    }
    return tlv(0x82, Buffer.from(host.toLowerCase(), 'ascii'))
  })
  return sequence(...names)
}

function certificate(options: {
  subject: string
  issuer: string
  publicKey: KeyObject
  signingKey: KeyObject
  days: number
  ca: boolean
  hosts?: readonly string[]
}): string {
  const now = Date.now()
  const serial = randomBytes(16)
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01
  const extensions = options.ca
    ? [
        // A CA that signs node certificates only: no intermediate below it.
        extension('2.5.29.19', true, sequence(boolean(true), integer(Buffer.from([0])))),
        extension('2.5.29.15', true, bits(Buffer.from([0x06]), 1)),
      ]
    : [
        extension('2.5.29.19', true, sequence()),
        extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))),
        extension('2.5.29.17', false, subjectAltNames(options.hosts ?? [])),
      ]
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name(options.issuer),
    // A minute back, so a peer whose clock trails a little still takes a certificate made just now.
    sequence(time(new Date(now - 60_000)), time(new Date(now + options.days * dayMs))),
    name(options.subject),
    options.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  )
  const signature = sign('sha256', tbs, options.signingKey)
  const der = sequence(tbs, ecdsaWithSha256, bits(signature))
  const body = der.toString('base64').replaceAll(/.{1,64}/g, '$&\n')
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > maxCertificateDays)
    throw new RangeError(`days must be a whole number from 1 to ${maxCertificateDays}`)
}

/** A new federation CA: its key and its self-signed certificate. */
export function createCertificateAuthority(options: { commonName: string; days: number }): PemPair {
  checkDays(options.days)
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const certPem = certificate({
    subject: options.commonName,
    issuer: options.commonName,
    publicKey,
    signingKey: privateKey,
    days: options.days,
    ca: true,
  })
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certPem }
}

/** A node certificate for `hosts` (IP addresses or DNS names), issued by `ca`. */
export function issueNodeCertificate(
  ca: PemPair,
  options: { commonName: string; hosts: readonly string[]; days: number },
): PemPair {
  checkDays(options.days)
  if (options.hosts.length === 0) throw new RangeError('a node certificate names at least one host')
  const caCertificate = new X509Certificate(ca.certPem)
  if (!caCertificate.ca) throw new RangeError('the issuing certificate is not a CA')
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const certPem = certificate({
    subject: options.commonName,
    issuer: caCertificate.subject.replace(/^CN=/, ''),
    publicKey,
    signingKey: createPrivateKey(ca.keyPem),
    days: options.days,
    ca: false,
    hosts: options.hosts,
  })
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certPem }
}
