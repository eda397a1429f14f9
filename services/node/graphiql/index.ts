/**
 * GraphiQL at `/graphiql`, served from the node's own npm packages (graphiql 3 UMD, React 18): a
 * node must be usable without internet, and mercurius' built-in GraphiQL loads from a CDN. The page
 * and its assets are public; the queries it sends carry the token the officer enters.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import fp from 'fastify-plugin'
import { type pageScripts, type pageStyles, renderPage, securityHeaders } from './page.ts'

const require = createRequire(import.meta.url)
const packageFolder = (name: string) => path.dirname(require.resolve(`${name}/package.json`))

/** Where each asset comes from: an allow-list, so no request path ever reaches the file system. */
function assetFiles(): Record<(typeof pageScripts)[number] | (typeof pageStyles)[number], string> {
  const graphiql = packageFolder('graphiql')
  const ownAssets = path.join(import.meta.dirname, 'assets')
  return {
    'react.production.min.js': path.join(packageFolder('react'), 'umd', 'react.production.min.js'),
    'react-dom.production.min.js': path.join(
      packageFolder('react-dom'),
      'umd',
      'react-dom.production.min.js',
    ),
    'graphiql.min.js': path.join(graphiql, 'graphiql.min.js'),
    'graphiql.min.css': path.join(graphiql, 'graphiql.min.css'),
    'graphiql-page.js': path.join(ownAssets, 'graphiql-page.js'),
    'graphiql-page.css': path.join(ownAssets, 'graphiql-page.css'),
  }
}

const contentTypes = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' } as const

export default fp(
  async (app) => {
    const page = renderPage(app.config)
    const assets = new Map(
      await Promise.all(
        Object.entries(assetFiles()).map(
          async ([name, file]) =>
            [
              name,
              {
                body: await readFile(file),
                contentType: contentTypes[path.extname(name) as keyof typeof contentTypes],
              },
            ] as const,
        ),
      ),
    )

    app.get('/graphiql', { config: { public: true } }, async (_request, reply) => {
      reply.headers(securityHeaders).header('cache-control', 'no-store').type('text/html; charset=utf-8')
      return page
    })

    app.get<{ Params: { name: string } }>(
      '/graphiql/assets/:name',
      { config: { public: true } },
      async (request, reply) => {
        const asset = assets.get(request.params.name)
        if (!asset) return reply.callNotFound()
        reply.headers(securityHeaders)
        // The files change only with an upgrade of the node, which restarts it.
        reply.header('cache-control', 'public, max-age=3600').type(asset.contentType)
        return asset.body
      },
    )
  },
  { name: 'graphiql', dependencies: [] },
)
