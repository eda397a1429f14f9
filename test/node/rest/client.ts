/**
 * A small REST client for the front door (`app.inject`), shared by the REST suites.
 */
import type { TestApp } from '../../support/app.ts'

// biome-ignore lint/suspicious/noExplicitAny: tests read REST answers as loosely typed JSON
export type Json = any

export interface RestAnswer {
  status: number
  body: Json
  headers: Record<string, unknown>
}

export async function rest(
  node: TestApp,
  token: string | undefined,
  method: 'GET' | 'POST' | 'PATCH' | 'HEAD',
  url: string,
  payload?: unknown,
): Promise<RestAnswer> {
  const response = await node.app.inject({
    method,
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  })
  const type = String(response.headers['content-type'] ?? '')
  return {
    status: response.statusCode,
    body: type.startsWith('application/json') ? response.json() : response.body,
    headers: response.headers,
  }
}

/** POST an NDJSON body to the import. */
export async function importNdjson(
  node: TestApp,
  token: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RestAnswer> {
  const response = await node.app.inject({
    method: 'POST',
    url: '/api/v1/import',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', ...headers },
    payload: body,
  })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

/** One NDJSON line per `{ type, record }`. */
export function ndjson(lines: readonly { type: string; record: Json }[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`
}

/** A query string from filter values; lists become repeated parameters. */
export function queryString(parameters: Record<string, unknown>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
