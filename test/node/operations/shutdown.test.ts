import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startNode } from '../../../services/node/server.ts'
import { openTestDatabase, testDatabaseLabel } from '../../support/database.ts'
import { capturingLogger, operationsConfig } from './fixture.ts'

/** Everything the server sends on the socket until it closes the connection. */
function collect(socket: Socket): Promise<string> {
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  return once(socket, 'close').then(() => received)
}

async function closingStarted(server: { listening: boolean }): Promise<void> {
  while (server.listening) await new Promise((resolve) => setImmediate(resolve))
}

describe(`graceful shutdown on ${testDatabaseLabel()}`, () => {
  it('stops accepting, lets the request in flight finish, refuses the next one with 503, then closes', async () => {
    const database = await openTestDatabase()
    const { config, removeKeys } = await operationsConfig()
    const node = await startNode(config, { database, logger: capturingLogger().logger })
    try {
      const { port } = new URL(node.url)
      const socket = connect(Number(port), '127.0.0.1')
      await once(socket, 'connect')
      const received = collect(socket)
      const body = JSON.stringify({ note: 'a body that arrives in two parts' })
      const arrived = once(node.app.server, 'request')
      socket.write(
        `POST /api/v1/slow-upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      )
      await arrived

      const closed = node.close()
      await closingStarted(node.app.server)
      const refusedConnection = connect(Number(port), '127.0.0.1')
      const [connectError] = (await once(refusedConnection, 'error')) as [NodeJS.ErrnoException]
      expect(connectError.code).toBe('ECONNREFUSED')

      // The rest of the body, and a second request pipelined on the same connection.
      socket.write(`${body.slice(10)}GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      const responses = await received
      const statuses = [...responses.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]))
      expect(statuses).toEqual([404, 503])
      expect(responses).toContain('"code":"NOT_FOUND"')
      await closed
    } finally {
      await node.close()
      await database.close()
      await removeKeys()
    }
  })
})
