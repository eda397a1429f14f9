/**
 * A bounded least-recently-used map of verified tokens (FACTS.md: a signature check costs
 * ~130-150 us, a cache hit ~6 us). Keys are SHA-256 digests, so bearer tokens are not kept in memory
 * and an entry costs the same whatever the token's size. The caller re-checks the times on every hit.
 */
import { createHash } from 'node:crypto'
import type { Principal } from './principal.ts'

export interface VerifiedToken {
  principal: Principal
  /** `exp` and `iat`, in seconds since the epoch. */
  expiresAt: number
  issuedAt: number
}

export interface TokenCacheStats {
  hits: number
  misses: number
  size: number
  capacity: number
}

/** Entries are looked up by `tokenCacheKey(token)`, computed once per request. */
export interface TokenCache {
  get(key: string): VerifiedToken | undefined
  set(key: string, verified: VerifiedToken): void
  delete(key: string): void
  stats(): TokenCacheStats
}

export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/** A capacity of 0 gives a cache that remembers nothing (every token is verified every time). */
export function createTokenCache(capacity: number): TokenCache {
  const entries = new Map<string, VerifiedToken>()
  let hits = 0
  let misses = 0
  return {
    get(key) {
      const found = entries.get(key)
      if (!found) {
        misses += 1
        return undefined
      }
      hits += 1
      // Map keeps insertion order: moving the entry to the end makes the first one the least recent.
      entries.delete(key)
      entries.set(key, found)
      return found
    },
    set(key, verified) {
      if (capacity === 0) return
      entries.delete(key)
      entries.set(key, verified)
      if (entries.size > capacity) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
    },
    delete(key) {
      entries.delete(key)
    },
    stats: () => ({ hits, misses, size: entries.size, capacity }),
  }
}
