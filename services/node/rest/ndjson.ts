/**
 * Reads NDJSON from a byte stream one line at a time, so a large import never sits in memory as a
 * whole: only the line being read is buffered, and a line over the cap is skipped (reported, not
 * kept). The total byte count is checked as the bytes arrive.
 */
import { JaringError } from '../errors.ts'

export interface NdjsonLimits {
  /** The most bytes one line may have (without its line break). */
  maxLineBytes: number
  /** The most bytes the whole body may have. */
  maxTotalBytes: number
}

/** One non-blank line: its 1-based number in the body and its text, or why it could not be read. */
export type NdjsonLine =
  | { line: number; text: string }
  | { line: number; fault: 'TOO_LARGE'; bytes: number }
  | { line: number; fault: 'NOT_UTF8' }

const newline = 0x0a
const carriageReturn = 0x0d
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

function decodeLine(line: number, bytes: Buffer): NdjsonLine | undefined {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn ? bytes.length - 1 : bytes.length
  let text: string
  try {
    // The decoder drops a leading byte-order mark, which some Windows tools write at the very start.
    text = decoder.decode(bytes.subarray(0, end))
  } catch {
    return { line, fault: 'NOT_UTF8' }
  }
  return text.trim() === '' ? undefined : { line, text }
}

/**
 * Yields the lines of an NDJSON body as they arrive. Blank lines are skipped but still counted, so
 * line numbers match what an editor shows. Throws PAYLOAD_TOO_LARGE once the body passes its cap.
 */
export async function* readNdjsonLines(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  limits: NdjsonLimits,
): AsyncGenerator<NdjsonLine> {
  let lineNumber = 1
  let pieces: Buffer[] = []
  let pieceBytes = 0
  let overflowBytes = 0
  let totalBytes = 0

  const finishLine = (): NdjsonLine | undefined => {
    const current = lineNumber
    lineNumber += 1
    if (overflowBytes > 0) {
      const bytes = overflowBytes
      overflowBytes = 0
      return { line: current, fault: 'TOO_LARGE', bytes }
    }
    const bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, pieceBytes)
    pieces = []
    pieceBytes = 0
    return decodeLine(current, bytes)
  }

  const append = (part: Buffer) => {
    if (part.length === 0) return
    if (overflowBytes > 0) {
      overflowBytes += part.length
      return
    }
    if (pieceBytes + part.length > limits.maxLineBytes) {
      overflowBytes = pieceBytes + part.length
      pieces = []
      pieceBytes = 0
      return
    }
    pieces.push(part)
    pieceBytes += part.length
  }

  for await (const chunk of source) {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk)
    totalBytes += bytes.length
    if (totalBytes > limits.maxTotalBytes) {
      throw new JaringError('PAYLOAD_TOO_LARGE', {
        detail: `An import body may have at most ${limits.maxTotalBytes} bytes.`,
      })
    }
    let start = 0
    for (let end = bytes.indexOf(newline, start); end !== -1; end = bytes.indexOf(newline, start)) {
      append(bytes.subarray(start, end))
      const finished = finishLine()
      if (finished) yield finished
      start = end + 1
    }
    append(bytes.subarray(start))
  }
  if (pieceBytes > 0 || overflowBytes > 0) {
    const finished = finishLine()
    if (finished) yield finished
  }
}
