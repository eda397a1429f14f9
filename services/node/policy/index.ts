/**
 * The `policy` plugin: loads the node's data-sharing policy at start (a broken file stops the node,
 * a missing one means deny-all), keeps it current (file watch, SIGHUP) and decorates `app.policy`,
 * always the policy in force. Evaluation itself is pure: decide.ts, rows.ts, fields.ts, explain.ts.
 */
import fp from 'fastify-plugin'
import { resolveConfigPath } from '../config.ts'
import type { Policy } from './compile.ts'
import { openPolicyStore, type PolicyStore } from './store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The policy in force now (a reload replaces it between requests). */
    readonly policy: Policy
    policyStore: PolicyStore
  }
}

export default fp(
  async (app) => {
    const store = await openPolicyStore({
      file: resolveConfigPath(app.config, app.config.policy.file),
      agency: app.config.agency,
      log: app.log.child({ component: 'policy' }),
      watch: app.config.policy.watch,
    })
    app.decorate('policyStore', store)
    app.decorate('policy', {
      getter() {
        return store.current
      },
    })
    app.addHook('onClose', async () => store.close())
  },
  { name: 'policy', dependencies: ['database'] },
)
