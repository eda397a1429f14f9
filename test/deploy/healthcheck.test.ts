/**
 * The container's health probe (services/node/healthcheck.ts): healthy while the node answers
 * /health/ready, unhealthy once it is gone; the address follows the node's config.
 */
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeConfig } from '../../services/node/config.ts'
import { localHealthUrl, probe } from '../../services/node/healthcheck.ts'
import { buildTestApp, type TestApp } from '../support/app.ts'
import { testDatabaseLabel } from '../support/database.ts'

const withListen = (config: NodeConfig, listen: Partial<NodeConfig['listen']>): NodeConfig => ({
  ...config,
  listen: { ...config.listen, ...listen },
})

describe('the health probe', () => {
  it('reaches a node listening on every interface through loopback, and a TLS node over https', async () => {
    const node = await buildTestApp()
    try {
      expect(localHealthUrl(withListen(node.config, { host: '0.0.0.0', port: 4101 }))).toBe(
        'http://127.0.0.1:4101/health/ready',
      )
      expect(localHealthUrl(withListen(node.config, { host: '::', port: 4101 }))).toBe(
        'http://[::1]:4101/health/ready',
      )
      expect(
        localHealthUrl(
          withListen(node.config, { host: '10.0.0.5', port: 443, tls: { certFile: 'c', keyFile: 'k' } }),
        ),
      ).toBe('https://10.0.0.5:443/health/ready')
    } finally {
      await node.close()
    }
  })
})

describe(`the health probe against a node on ${testDatabaseLabel()}`, () => {
  let node: TestApp
  let config: NodeConfig
  beforeAll(async () => {
    node = await buildTestApp()
    await node.app.listen({ host: '127.0.0.1', port: 0 })
    config = withListen(node.config, { port: (node.app.server.address() as AddressInfo).port })
  })
  afterAll(async () => {
    await node?.close()
  })

  it('is healthy while the node is ready, and unhealthy once it has stopped', async () => {
    const ready = await probe(config, 5_000)
    expect(ready).toMatchObject({ healthy: true })
    expect(ready.detail).toContain('200')
    await node.app.close()
    const gone = await probe(config, 5_000)
    expect(gone.healthy).toBe(false)
    expect(gone.detail).toContain('ECONNREFUSED')
  })
})
