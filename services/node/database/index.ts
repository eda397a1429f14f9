import fp from 'fastify-plugin'
import { type DatabaseHandle, openDatabase } from '../../../db/open.ts'
import { databaseUrl } from '../config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    database: DatabaseHandle
  }
}

export interface DatabasePluginOptions {
  /** An already opened database (tests); the app then leaves closing it to its owner. */
  database?: DatabaseHandle
}

/** Opens the node's database from the config (or takes the one given) and closes it on shutdown. */
export default fp<DatabasePluginOptions>(
  async (app, options) => {
    const owned = !options.database
    const database =
      options.database ??
      (await openDatabase(databaseUrl(app.config), {
        poolMax: app.config.database.poolMax,
        applicationName: `jaring-${app.config.agency}`,
      }))
    app.decorate('database', database)
    app.log.info({ driver: database.driver, location: database.location }, 'database open')
    if (owned) app.addHook('onClose', async () => database.close())
  },
  { name: 'database', dependencies: [] },
)
