import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { type NdjsonLine, readNdjsonLines } from '../../../services/node/rest/ndjson.ts'

async function read(chunks: (string | Buffer)[], limits = { maxLineBytes: 64, maxTotalBytes: 10_000 }) {
  const lines: NdjsonLine[] = []
  for await (const line of readNdjsonLines(Readable.from(chunks), limits)) lines.push(line)
  return lines
}

describe('NDJSON line reader', () => {
  it('yields each non-blank line with its number, across chunk boundaries', async () => {
    const lines = await read(['{"a":', '1}\n\n  \n{"b"', ':2}\r\n{"c":3}'])
    expect(lines).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ])
  })

  it('keeps multi-byte characters split between chunks intact', async () => {
    const bytes = Buffer.from('{"name":"สมชาย"}\n', 'utf8')
    const lines = await read([bytes.subarray(0, 12), bytes.subarray(12)])
    expect(lines).toEqual([{ line: 1, text: '{"name":"สมชาย"}' }])
  })

  it('drops a byte-order mark at the start', async () => {
    expect(await read(['\uFEFF{"a":1}\n'])).toEqual([{ line: 1, text: '{"a":1}' }])
  })

  it('reports a line over the cap without keeping it, and goes on with the next', async () => {
    const long = `{"x":"${'y'.repeat(100)}"}`
    const lines = await read(['{"a":1}\n', long.slice(0, 50), long.slice(50), '\n{"b":2}\n'])
    expect(lines).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, fault: 'TOO_LARGE', bytes: long.length },
      { line: 3, text: '{"b":2}' },
    ])
  })

  it('reports bytes that are not UTF-8', async () => {
    const lines = await read([Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), '{"a":1}'])
    expect(lines).toEqual([
      { line: 1, fault: 'NOT_UTF8' },
      { line: 2, text: '{"a":1}' },
    ])
  })

  it('stops with PAYLOAD_TOO_LARGE once the body passes its cap', async () => {
    await expect(
      read(['{"a":1}\n'.repeat(10)], { maxLineBytes: 64, maxTotalBytes: 40 }),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    })
  })
})
