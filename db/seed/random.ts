/**
 * The seeded random source of the synthetic data: sfc32 (small, fast, 128 bits of state, passes
 * PractRand) keyed by SHA-256 of its parts, so the same parts always give the same stream, on every
 * platform, and different parts give unrelated streams.
 */
import { createHash } from 'node:crypto'

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A choice table: each key with its relative weight, as in `{ GREEN: 35, AMBER: 42, RED: 8 }`. */
export type Weights<K extends string> = Readonly<Partial<Record<K, number>>>

interface PreparedWeights {
  keys: string[]
  cumulative: number[]
  total: number
}

/** Choice tables are module constants: their running sums are worked out once. */
const prepared = new WeakMap<object, PreparedWeights>()

function prepare(weights: Weights<string>): PreparedWeights {
  let table = prepared.get(weights)
  if (!table) {
    const keys = Object.keys(weights)
    if (keys.length === 0) throw new Error('Random.weighted: empty table')
    const cumulative: number[] = []
    let total = 0
    for (const key of keys) {
      total += weights[key] ?? 0
      cumulative.push(total)
    }
    table = { keys, cumulative, total }
    prepared.set(weights, table)
  }
  return table
}

export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(...parts: readonly (string | number)[]) {
    const digest = createHash('sha256').update(parts.join('\u0000')).digest()
    this.a = digest.readUInt32LE(0)
    this.b = digest.readUInt32LE(4)
    this.c = digest.readUInt32LE(8)
    this.d = digest.readUInt32LE(12)
    for (let i = 0; i < 12; i++) this.next()
  }

  /** The next 32 random bits as an unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4_294_967_296
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }

  chance(probability: number): boolean {
    return this.float() < probability
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)]
    if (item === undefined) throw new Error('Random.pick: empty list')
    return item
  }

  weighted<K extends string>(weights: Weights<K>): K {
    const { keys, cumulative, total } = prepare(weights)
    const target = this.float() * total
    for (let i = 0; i < keys.length; i++) if (target < (cumulative[i] as number)) return keys[i] as K
    return keys[keys.length - 1] as K
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items]
    const chosen: T[] = []
    while (chosen.length < count && pool.length > 0) {
      const index = Math.floor(this.float() * pool.length)
      chosen.push(pool[index] as T)
      pool.splice(index, 1)
    }
    return chosen
  }

  /** `count` decimal digits (leading zeros kept). */
  digits(count: number): string {
    let out = ''
    for (let i = 0; i < count; i++) out += String(Math.floor(this.float() * 10))
    return out
  }

  /** Random bytes, four at a time from the stream. */
  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count)
    for (let i = 0; i < count; i += 4) {
      const word = this.next()
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (j * 8)) & 0xff
    }
    return out
  }

  /** A version 4 (random) UUID drawn from this stream. */
  uuid(): string {
    const w0 = this.next()
    const w1 = this.next()
    const w2 = this.next()
    const w3 = this.next()
    const b = (word: number, shift: number) => hex[(word >>> shift) & 0xff] as string
    return (
      `${b(w0, 24)}${b(w0, 16)}${b(w0, 8)}${b(w0, 0)}-` +
      `${b(w1, 24)}${b(w1, 16)}-` +
      `${hex[0x40 | ((w1 >>> 8) & 0x0f)]}${b(w1, 0)}-` +
      `${hex[0x80 | ((w2 >>> 24) & 0x3f)]}${b(w2, 16)}-` +
      `${b(w2, 8)}${b(w2, 0)}${b(w3, 24)}${b(w3, 16)}${b(w3, 8)}${b(w3, 0)}`
    )
  }
}
