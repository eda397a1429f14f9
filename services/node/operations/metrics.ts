/**
 * The node's Prometheus metrics. Each node has a registry of its own (never prom-client's global
 * one), so several nodes in one process (the demo, federation tests) keep separate counts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

export interface PoolStats {
  total: number
  idle: number
  waiting: number
}

export interface NodeMetricsOptions {
  agency: string
  databaseDriver: string
  poolStats: () => PoolStats
}

export interface RequestObservation {
  method: string
  /** The route template (`/api/v1/persons/:id`), never the raw path: one series per route. */
  route: string
  status: number
  durationMs: number
}

export interface NodeMetrics {
  readonly registry: Registry
  readonly contentType: string
  observeRequest(observation: RequestObservation): void
  /** Counts a coded error; the GraphQL error formatter calls it for errors that never reach Fastify. */
  countError(code: string): void
  exposition(): Promise<string>
}

/** Seconds; from a cached lookup to a fan-out that waits for a slow peer. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export function createNodeMetrics(options: NodeMetricsOptions): NodeMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ agency: options.agency })
  collectDefaultMetrics({ register: registry })

  const requests = new Counter({
    name: 'jaring_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  })
  const durations = new Histogram({
    name: 'jaring_http_request_duration_seconds',
    help: 'Time from receiving a request to sending the response, by route template and method.',
    labelNames: ['route', 'method'] as const,
    buckets: durationBuckets,
    registers: [registry],
  })
  const errors = new Counter({
    name: 'jaring_errors_total',
    help: 'Errors answered to clients, by stable error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  })
  new Gauge({
    name: 'jaring_node_info',
    help: 'Always 1; its labels describe the node.',
    labelNames: ['database_driver'] as const,
    registers: [registry],
  }).set({ database_driver: options.databaseDriver }, 1)

  const poolGauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(options.poolStats()))
      },
    })
  poolGauge('jaring_database_pool_connections', 'Database connections open.', (stats) => stats.total)
  poolGauge('jaring_database_pool_idle', 'Database connections open and idle.', (stats) => stats.idle)
  poolGauge(
    'jaring_database_pool_waiting',
    'Queries waiting for a database connection (a sustained value means the pool is too small).',
    (stats) => stats.waiting,
  )

  return {
    registry,
    contentType: registry.contentType,
    observeRequest({ method, route, status, durationMs }) {
      requests.inc({ route, method, status: String(status) })
      durations.observe({ route, method }, durationMs / 1000)
    },
    countError(code) {
      errors.inc({ code })
    },
    exposition: () => registry.metrics(),
  }
}
