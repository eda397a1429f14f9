/**
 * The container's health probe: asks the node running beside it for `/health/ready` (which also
 * checks the database) and exits 0 when it answers 200, 1 otherwise. The Dockerfile's HEALTHCHECK
 * runs `node services/node/healthcheck.ts <node.yaml>`. The address comes from the same node.yaml
 * and environment as the node's own (`loadConfig`), so a port or TLS set either way is followed,
 * and this module reads no variable itself.
 */
import { Agent, request } from 'undici'
import { loadConfig, type NodeConfig } from './config.ts'

/** A wildcard listen address is reached through loopback; any other address as it is. */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/** Where a process on the same machine reaches the node's readiness probe. */
export function localHealthUrl(config: NodeConfig): string {
  const { port, tls } = config.listen
  return `${tls ? 'https' : 'http'}://${loopbackFor(config.listen.host)}:${port}/health/ready`
}

export interface ProbeResult {
  healthy: boolean
  /** One line for `docker inspect`: the status, or why there was none. */
  detail: string
}

export async function probe(config: NodeConfig, timeoutMs: number): Promise<ProbeResult> {
  const url = localHealthUrl(config)
  // The node's certificate names its public host, not the loopback address this probe dials;
  // the probe never sends anything secret, so it checks the answer, not the certificate.
  const dispatcher = config.listen.tls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined
  try {
    const response = await request(url, {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    })
    const body = await response.body.text()
    return {
      healthy: response.statusCode === 200,
      detail: `${url}: ${response.statusCode} ${body.slice(0, 200)}`,
    }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    return { healthy: false, detail: `${url}: ${code ?? message ?? String(error)}` }
  } finally {
    await dispatcher?.close()
  }
}

if (import.meta.main) {
  const file = process.argv[2]
  if (!file) {
    process.stderr.write('usage: node services/node/healthcheck.ts <node.yaml>\n')
    process.exit(64)
  }
  try {
    const config = loadConfig(file)
    // Within Docker's default 30 s probe timeout, and past the node's own readiness deadline.
    const result = await probe(config, config.operations.readyTimeoutMs + 3_000)
    process.stdout.write(`${result.detail}\n`)
    process.exitCode = result.healthy ? 0 : 1
  } catch (error) {
    process.stderr.write(`healthcheck: ${(error as Error).message}\n`)
    process.exitCode = 1
  }
}
